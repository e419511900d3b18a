//! Tools for bench/run that need the portico library, lettre or real threads: a loopback SMTP
//! sink, the bare SMTP loop P4 is compared with, a bare argon2 hash for P6 and the search
//! without its index for P3. Each prints KEY=VALUE lines for bench/run's results file.

mod bare_loop;
mod search;
mod sink;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "portico_bench", about = "Benchmark tools for bench/run")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve SMTP on a free loopback port until killed, counting messages and connections.
    SmtpSink {
        /// Written with the SMTP port once the sink accepts connections.
        #[arg(long)]
        port_file: PathBuf,
        /// Written with the control port (`stats`, `reset-peak`).
        #[arg(long)]
        control_port_file: PathBuf,
        /// Each message's invitation link is appended here.
        #[arg(long)]
        links_file: PathBuf,
    },
    /// Send COUNT invitation-sized messages over one connection; prints the seconds taken.
    SmtpBareLoop {
        #[arg(long)]
        port: u16,
        #[arg(long, default_value_t = 500)]
        count: usize,
        /// The base of the links in the messages (the app's PORTICO_BASE_URL).
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        base_url: String,
        /// Prefix of the printed keys.
        #[arg(long, default_value = "bare")]
        key: String,
    },
    /// Time the app's password hash (argon2id, its parameters) RUNS times; prints the median.
    Argon2Hash {
        #[arg(long, default_value_t = 20)]
        runs: usize,
    },
    /// Time the contacts search with and without its index, directly on the database.
    SearchBaseline {
        #[arg(long)]
        database_url: String,
        #[arg(long)]
        term: String,
        #[arg(long, default_value_t = 9)]
        runs: usize,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("portico_bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::SmtpSink {
            port_file,
            control_port_file,
            links_file,
        } => sink::run(&port_file, &control_port_file, &links_file),
        Command::SmtpBareLoop {
            port,
            count,
            base_url,
            key,
        } => {
            let elapsed = bare_loop::run(port, count, &base_url)?;
            println!("{key}_s={:.4}", elapsed.as_secs_f64());
            println!("{key}_messages={count}");
            Ok(())
        }
        Command::Argon2Hash { runs } => {
            let mut times = Vec::with_capacity(runs);
            // One warm-up hash: the first touches fresh memory.
            portico::auth::password::hash_password("a warm-up passphrase")?;
            for number in 0..runs.max(1) {
                let password = format!("a benchmark passphrase {number}");
                let started = Instant::now();
                portico::auth::password::hash_password(&password)?;
                times.push(started.elapsed());
            }
            println!("argon2_median_ms={:.2}", millis(median(&mut times)));
            println!("argon2_runs={}", times.len());
            Ok(())
        }
        Command::SearchBaseline {
            database_url,
            term,
            runs,
        } => {
            let timings = search::run(&database_url, &term, runs)?;
            println!("search_indexed_ms={:.3}", millis(timings.indexed));
            println!("search_unindexed_ms={:.3}", millis(timings.unindexed));
            println!("search_baseline_matches={}", timings.matches);
            println!("search_baseline_total={}", timings.total);
            println!("search_baseline_runs={}", timings.runs);
            Ok(())
        }
    }
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

use std::process::ExitCode;

use clap::Parser;

use portico::config::{Cli, Command};
use portico::startup::Application;
use portico::{cli, demo, telemetry};

// glibc's malloc took a tenth of the contacts list's CPU (rows, strings and SQLite's own
// allocations across threads); mimalloc's thread-local pages make that a fraction.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let Cli { settings, command } = Cli::parse();
    telemetry::init(settings.log_format, &settings.log);
    let outcome = match command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&settings),
        other => cli::run(other, &settings),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("portico: {error}");
            ExitCode::FAILURE
        }
    }
}

fn serve(settings: &portico::config::Settings) -> Result<(), Box<dyn std::error::Error>> {
    actix_web::rt::System::new().block_on(async {
        let app = Application::build(settings)?;
        println!("Portico is running at {}", app.base_url());
        if let Some(port) = app.metrics_port() {
            println!("Metrics are served on port {port} at /metrics");
        }
        if settings.demo_enabled() {
            println!(
                "Demo data is loaded. Sign in at {}login as {} with the password {}",
                app.base_url(),
                demo::ADMIN_EMAIL,
                demo::ADMIN_PASSWORD
            );
        }
        app.run_until_stopped().await?;
        Ok(())
    })
}

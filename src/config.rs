//! Settings from command-line flags with environment fallbacks, and the subcommands.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};
use secrecy::SecretString;
use url::Url;

pub const DEFAULT_DATABASE_URL: &str = "data/portico.db";

#[derive(Debug, Parser)]
#[command(
    name = "portico",
    version,
    about = "Portico: invite help-desk contacts to a self-service Help Center"
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web application (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create an agent who can sign in; the password is read from standard input.
    CreateAgent {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Give the agent the admin role (Settings, agents).
        #[arg(long)]
        admin: bool,
        /// Read the password from the first line of standard input.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Insert generated contacts in bulk, for benchmarks.
    Seed {
        #[arg(long)]
        contacts: u64,
        #[arg(long)]
        accounts: Option<u64>,
    },
    /// Send one message through the configured mailer and report the outcome.
    SendTestMail {
        #[arg(long)]
        to: String,
    },
    /// Write a consistent copy of the SQLite database to a new file, while the server runs.
    /// On PostgreSQL, use pg_dump.
    Backup {
        /// The copy's path; it must not exist yet.
        #[arg(long)]
        to: PathBuf,
    },
}

/// A yes-or-no setting written the ways operators write them.
pub fn parse_switch(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err("use 1 or 0, true or false, yes or no, on or off".to_owned()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// postgres://… or postgresql://… for PostgreSQL; anything else is a SQLite file path.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,

    /// Address and port for Prometheus metrics at /metrics, apart from the pages (keep it
    /// private). Unset: no metrics.
    #[arg(long, env = "PORTICO_METRICS_BIND", global = true)]
    pub metrics_bind: Option<SocketAddr>,

    /// Address and port the web server listens on.
    #[arg(
        long,
        env = "PORTICO_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: SocketAddr,

    /// Public address used for every link in mail, e.g. https://help.example.com.
    /// Defaults to http://<bind address>.
    #[arg(long, env = "PORTICO_BASE_URL", global = true)]
    pub base_url: Option<Url>,

    /// smtp://host:port (plain), smtp://user:pass@host:587?tls=starttls, smtps://user:pass@host:465.
    /// Unset: mail is written as .eml files into the outbox folder.
    #[arg(long, env = "PORTICO_SMTP_URL", hide_env_values = true, global = true)]
    pub smtp_url: Option<SecretString>,

    /// Folder for .eml files when no SMTP server is configured.
    #[arg(
        long,
        env = "PORTICO_OUTBOX_DIR",
        default_value = "data/outbox",
        global = true
    )]
    pub outbox_dir: PathBuf,

    /// Sender of every message, e.g. "Acme Help Center <help@acme.example>".
    #[arg(
        long,
        env = "PORTICO_MAIL_FROM",
        default_value = "Portico Help Center <help@portico.test>",
        global = true
    )]
    pub mail_from: String,

    /// At least 64 bytes signing and encrypting session cookies. Unset: generated once and
    /// kept in <data dir>/secret.key.
    #[arg(
        long,
        env = "PORTICO_SECRET_KEY",
        hide_env_values = true,
        global = true
    )]
    pub secret_key: Option<SecretString>,

    /// Folder for the generated secret key.
    #[arg(long, env = "PORTICO_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,

    /// Seed demo data into an empty database: 1/0, true/false, yes/no or on/off. Defaults to
    /// on with the default SQLite file.
    #[arg(long, env = "PORTICO_DEMO", value_parser = parse_switch, global = true)]
    pub demo: Option<bool>,

    /// Hours an invitation link stays valid.
    #[arg(
        long,
        env = "PORTICO_INVITE_TTL_HOURS",
        default_value_t = 168,
        global = true
    )]
    pub invite_ttl_hours: u32,

    /// Request log format.
    #[arg(long, env = "PORTICO_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// Which log lines to write: a level (error, warn, info, debug, trace) or tracing's
    /// directives such as "info,portico=debug".
    #[arg(long, env = "PORTICO_LOG", default_value = "info", global = true)]
    pub log: String,

    /// Database connections kept in the pool.
    #[arg(long, env = "PORTICO_DB_POOL_SIZE", default_value_t = 8, global = true)]
    pub db_pool_size: u32,

    /// SMTP connections kept in the pool.
    #[arg(
        long,
        env = "PORTICO_SMTP_POOL_SIZE",
        default_value_t = 4,
        global = true
    )]
    pub smtp_pool_size: u32,

    /// Load balancers or reverse proxies in front of Portico, comma-separated addresses or
    /// networks (10.0.0.5,10.1.0.0/16): their X-Forwarded-For names the client that the limits
    /// per client count. Unset: the connection's peer is the client and the header is ignored.
    #[arg(
        long,
        env = "PORTICO_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_parser = crate::auth::client_address::parse_trusted_proxy,
        global = true
    )]
    pub trusted_proxies: Vec<ipnet::IpNet>,

    /// Threads of this instance that work bulk jobs (whole-view actions); 0: this instance
    /// serves pages only and leaves the jobs to the others.
    #[arg(long, env = "PORTICO_JOB_WORKERS", default_value_t = 1, global = true)]
    pub job_workers: usize,

    /// Seconds a bulk job's chunk stays claimed by an instance that stopped renewing it (it
    /// died) before another instance takes the chunk over.
    #[arg(
        long,
        env = "PORTICO_JOB_LEASE_SECONDS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u32).range(1..=3600),
        global = true
    )]
    pub job_lease_seconds: u32,

    /// Seconds an agent waits for a mass invite of selected rows; past it the page shows the
    /// mass invite in progress while its emails go on being sent.
    #[arg(
        long,
        env = "PORTICO_MASS_INVITE_WAIT_SECONDS",
        default_value_t = 15,
        value_parser = clap::value_parser!(u32).range(1..=600),
        global = true
    )]
    pub mass_invite_wait_seconds: u32,
}

impl Settings {
    pub fn demo_enabled(&self) -> bool {
        self.demo
            .unwrap_or(self.database_url == DEFAULT_DATABASE_URL)
    }

    pub fn base_url(&self) -> Url {
        self.base_url.clone().unwrap_or_else(|| {
            let host = if self.bind.ip().is_unspecified() {
                "127.0.0.1".to_owned()
            } else {
                self.bind.ip().to_string()
            };
            let origin = format!("http://{host}:{}", self.bind.port());
            Url::parse(&origin)
                .unwrap_or_else(|_| Url::parse("http://127.0.0.1:8080").expect("literal URL"))
        })
    }

    pub fn secret_key_file(&self) -> PathBuf {
        Path::new(&self.data_dir).join("secret.key")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switches_read_the_way_operators_write_them() {
        for on in ["1", "true", "YES", "on", " On "] {
            assert_eq!(parse_switch(on), Ok(true), "{on}");
        }
        for off in ["0", "false", "no", "OFF"] {
            assert_eq!(parse_switch(off), Ok(false), "{off}");
        }
        let refused = parse_switch("maybe").unwrap_err();
        assert!(refused.contains("1 or 0, true or false, yes or no, on or off"));
    }
}

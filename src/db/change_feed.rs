//! Follows PostgreSQL's notices of committed changes, so that pages read from it can be kept
//! while nothing changes (see `generation`). Every table has a trigger that notifies
//! `CHANNEL` when a statement writes it; PostgreSQL delivers the notice once the transaction
//! commits, to every connection listening, whichever instance or program wrote. One thread per
//! process listens on a connection of its own.

use std::sync::{Arc, Weak};
use std::thread;
use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;
use postgres_native_tls::MakeTlsConnector;

use super::generation::DataGeneration;

/// The channel the tables' triggers notify (migration 2026-12-05-000060).
pub const CHANNEL: &str = "portico_data_changed";

/// How long the feed waits for a notice before checking that its connection still answers:
/// a connection that died quietly would otherwise leave pages kept that no longer hold.
const HEARTBEAT: Duration = Duration::from_secs(10);
const FIRST_RETRY: Duration = Duration::from_millis(250);
const LONGEST_RETRY: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
enum FeedError {
    #[error("could not listen for changes: {0}")]
    Connect(#[source] postgres::Error),
    #[error("the connection listening for changes was lost: {0}")]
    Lost(#[source] postgres::Error),
    #[error("the connection listening for changes stopped answering")]
    Silent,
}

/// Starts following the database at `database_url` for `generations`, until they are dropped.
/// A URL this client cannot read only means pages are not kept: it is logged, not fatal.
pub fn follow(database_url: &str, generations: &Arc<DataGeneration>) {
    let mut config = match database_url.parse::<postgres::Config>() {
        Ok(config) => config,
        Err(error) => {
            tracing::warn!(%error, "cannot follow the database's changes; pages will not be kept");
            return;
        }
    };
    config
        .application_name("portico change feed")
        .connect_timeout(Duration::from_secs(5))
        .keepalives_idle(Duration::from_secs(30))
        .tcp_user_timeout(Duration::from_secs(30));
    let generations = Arc::downgrade(generations);
    let started = thread::Builder::new()
        .name("change-feed".to_owned())
        .spawn(move || follow_while_wanted(&config, &generations));
    if let Err(error) = started {
        tracing::warn!(%error, "cannot start the change feed; pages will not be kept");
    }
}

fn follow_while_wanted(config: &postgres::Config, generations: &Weak<DataGeneration>) {
    let mut retry = FIRST_RETRY;
    loop {
        let error = match listen(config, generations) {
            Ok(()) => return,
            Err(error) => error,
        };
        let Some(following) = generations.upgrade() else {
            return;
        };
        following.unfollow();
        drop(following);
        if !matches!(error, FeedError::Connect(_)) {
            retry = FIRST_RETRY;
        }
        tracing::warn!(%error, retry_in_ms = retry.as_millis() as u64, "change feed");
        thread::sleep(retry);
        retry = (retry * 2).min(LONGEST_RETRY);
    }
}

/// Listens until the generations are dropped (`Ok`) or the connection fails.
fn listen(config: &postgres::Config, generations: &Weak<DataGeneration>) -> Result<(), FeedError> {
    // As libpq (the pool's connections) does for `sslmode` `prefer` and `require`: encrypted,
    // certificate not checked. A URL asking for a checked one (`verify-ca`, `verify-full`) is
    // one this client cannot read, so the feed never starts for it.
    let tls = native_tls::TlsConnector::builder()
        .danger_accept_invalid_certs(true)
        .danger_accept_invalid_hostnames(true)
        .build()
        .map(MakeTlsConnector::new)
        .map_err(|error| {
            tracing::warn!(%error, "no TLS for the change feed");
        });
    let mut client = match tls {
        Ok(tls) => config.connect(tls),
        Err(()) => config.connect(postgres::NoTls),
    }
    .map_err(FeedError::Connect)?;
    client
        .batch_execute(&format!("LISTEN {CHANNEL}"))
        .map_err(FeedError::Connect)?;
    // Listening: every commit from here on will be noticed.
    match generations.upgrade() {
        Some(following) => following.follow(),
        None => return Ok(()),
    }
    loop {
        let notice = client
            .notifications()
            .timeout_iter(HEARTBEAT)
            .next()
            .map_err(FeedError::Lost)?;
        let Some(following) = generations.upgrade() else {
            return Ok(());
        };
        if notice.is_some() {
            // Several commits may be waiting: one move covers them all.
            let _ = client.notifications().iter().count();
            following.changed();
        } else if client.is_closed() {
            return Err(FeedError::Silent);
        } else {
            drop(following);
            client.is_valid(HEARTBEAT).map_err(FeedError::Lost)?;
        }
    }
}

//! What every handler shares: the database pool, the mailer and the settings.

use std::sync::Arc;

use actix_web::web;
use url::Url;

use crate::auth::client_address::ClientAddresses;
use crate::db::{DbConnection, DbPool};
use crate::error::AppError;
use crate::invitations::Inviter;
use crate::jobs::JobWaker;
use crate::mail::Mailer;
use crate::tickets::emails::TicketEmails;
use crate::tickets::TicketError;

pub struct AppState {
    pub pool: DbPool,
    pub mailer: Arc<Mailer>,
    /// Sends invitations with this instance's pool, mailer and invitation email.
    pub inviter: Inviter,
    /// Sends the emails about tickets, to customers and agents.
    pub ticket_emails: TicketEmails,
    pub base_url: Url,
    pub demo: bool,
    /// Wakes this instance's job runner when a job is started or resumed here.
    pub jobs: JobWaker,
    pub client_addresses: ClientAddresses,
    /// How long a mass invite's page waits for its emails before showing it in progress.
    pub mass_invite_wait: std::time::Duration,
    /// How long a claim on a bulk job or a mass invite lasts unless its holder renews it.
    pub lease: chrono::Duration,
}

impl AppState {
    /// Runs database work on the blocking thread pool, so the async workers never wait on I/O.
    pub async fn db<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let span = tracing::Span::current();
        web::block(move || {
            let _request = span.enter();
            let asked = std::time::Instant::now();
            let mut conn = pool.get()?;
            metrics::histogram!("portico_db_pool_wait_seconds")
                .record(asked.elapsed().as_secs_f64());
            work(&mut conn)
        })
        .await?
    }

    /// Runs invitation work (database and synchronous SMTP sends) on the blocking pool.
    pub async fn invitations<T, E, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        E: Into<AppError> + Send + 'static,
        F: FnOnce(&Inviter) -> Result<T, E> + Send + 'static,
    {
        let inviter = self.inviter.clone();
        let span = tracing::Span::current();
        web::block(move || {
            let _request = span.enter();
            work(&inviter)
        })
        .await?
        .map_err(Into::into)
    }

    /// Runs ticket work that may send email (database and synchronous SMTP) on the blocking
    /// pool.
    pub async fn tickets<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&TicketEmails) -> Result<T, TicketError> + Send + 'static,
    {
        let emails = self.ticket_emails.clone();
        let span = tracing::Span::current();
        web::block(move || {
            let _request = span.enter();
            work(&emails)
        })
        .await?
        .map_err(Into::into)
    }
}

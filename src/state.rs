//! What every handler shares: the database pool, the mailer and the settings.

use std::sync::Arc;

use actix_web::web;
use diesel::Connection;
use url::Url;

use crate::db::generation::{DataGeneration, Generation};
use crate::db::{DbConnection, DbPool, PooledConnection};
use crate::error::AppError;
use crate::invitations::{InvitationLetter, Inviter};
use crate::jobs::JobWaker;

use crate::mail::Mailer;

pub struct AppState {
    pub pool: DbPool,
    pub mailer: Arc<Mailer>,
    pub base_url: Url,
    pub demo: bool,
    pub invite_ttl_hours: u32,
    pub letter: Arc<InvitationLetter>,
    /// Wakes this instance's job runner when a job is started or resumed here.
    pub jobs: JobWaker,
    pub client_addresses: crate::auth::client_address::ClientAddresses,
    /// Whether `read` may run on the calling worker: true on SQLite, whose reads are CPU work
    /// on the page cache, false on PostgreSQL, whose every query waits on the network.
    pub inline_reads: bool,
    /// Moves whenever the database may have changed, so pages read from it can be kept.
    pub generation: Arc<DataGeneration>,
}

impl AppState {
    /// Runs invitation work (database and synchronous SMTP sends) on the blocking pool.
    pub async fn with_inviter<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&Inviter) -> Result<T, crate::invitations::InviteError> + Send + 'static,
    {
        let (pool, mailer, letter) = (self.pool.clone(), self.mailer.clone(), self.letter.clone());
        let ttl = chrono::Duration::hours(i64::from(self.invite_ttl_hours));
        let generations = self.generation.clone();
        web::block(move || {
            let outcome = work(&Inviter {
                pool: &pool,
                mailer: &mailer,
                letter: &letter,
                ttl,
            });
            generations.wrote();
            outcome
        })
        .await?
        .map_err(|error| match error {
            // The agent's to act on, not a server fault: the page says how many are left.
            crate::invitations::InviteError::QuotaExceeded(refusal) => {
                AppError::BadRequest(refusal.to_string())
            }
            other => AppError::from(other),
        })
    }

    pub async fn invite(
        &self,
        request: crate::invitations::InviteRequest,
    ) -> Result<Vec<crate::invitations::InviteResult>, AppError> {
        self.with_inviter(move |inviter| inviter.invite(&request))
            .await
    }

    /// Runs read-only database work where it is cheapest. On SQLite, when a pooled connection
    /// is free this instant, the work runs right here on the worker: a page's reads take tens
    /// of microseconds, less than the hand-off to the blocking pool and back (two thread
    /// wake-ups), and under WAL a reader never waits for a writer's lock. Otherwise, and
    /// always on PostgreSQL, it goes to the blocking pool like `db`. Writes must use `db`:
    /// a SQLite writer can wait seconds for the write lock.
    pub async fn read<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
    {
        if !self.inline_reads {
            return self.on_blocking_pool(work).await;
        }
        // One read transaction for all of the work: a single consistent snapshot (a page's
        // counts and rows agree), and one lock taken and released instead of one per query.
        self.on_free_connection(move |conn: &mut PooledConnection| {
            conn.transaction(|conn| work(conn))
        })
        .await
    }

    /// Like `read`, and the work is told which generation of the data it reads (see
    /// `db::generation`), so that it can reuse or keep what it builds: on SQLite from the
    /// read's own transaction, on PostgreSQL from the change feed (`None` while it is not
    /// listening).
    pub async fn read_in_generation<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection, Generation) -> Result<T, AppError> + Send + 'static,
    {
        if !self.inline_reads {
            let generation = self.generation.followed();
            return self
                .on_blocking_pool(move |conn| work(conn, generation))
                .await;
        }
        let generations = self.generation.clone();
        self.on_free_connection(move |conn| generations.read_transaction(conn, work))
            .await
    }

    /// Runs SQLite read work on a pooled connection free this instant, right here on the
    /// worker; when none is free, on the blocking pool, which waits for one.
    async fn on_free_connection<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut PooledConnection) -> Result<T, AppError> + Send + 'static,
    {
        match self.pool.try_get() {
            Some(mut conn) => work(&mut conn),
            None => {
                let pool = self.pool.clone();
                web::block(move || work(&mut pool.get()?)).await?
            }
        }
    }

    /// Runs database work that may write on the blocking thread pool, so the async workers
    /// never wait on I/O. Once it is done, pages kept from before it are not shown again.
    pub async fn db<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
    {
        let outcome = self.on_blocking_pool(work).await;
        self.generation.wrote();
        outcome
    }

    async fn on_blocking_pool<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get()?;
            work(&mut conn)
        })
        .await?
    }
}

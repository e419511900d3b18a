//! What every handler shares: the database pool, the mailer and the settings.

use std::sync::Arc;

use actix_web::web;
use url::Url;

use crate::db::{DbConnection, DbPool};
use crate::error::AppError;
use crate::mail::Mailer;

pub struct AppState {
    pub pool: DbPool,
    pub mailer: Arc<Mailer>,
    pub base_url: Url,
    pub demo: bool,
    pub invite_ttl_hours: u32,
}

impl AppState {
    /// Runs database work on the blocking thread pool, so the async workers never wait on I/O.
    pub async fn db<T, F>(&self, work: F) -> Result<T, AppError>
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

//! Limits on requests that send email to an address someone typed (a new invitation link, a
//! password reset, a registration), so the Help Center cannot be used to flood an inbox: per
//! address, and per client (`client_address`, which sees through trusted proxies). Counted in
//! the database over the last hour, so the limits hold however many instances share it.
//! Refused requests are not counted: asking again while refused does not prolong the wait.
//! Two requests checked at the same moment can both pass, so a burst may exceed a limit by
//! the number of requests in flight.

use chrono::Duration;

use crate::auth::email_requests;
use crate::error::AppError;
use crate::state::AppState;

pub const PER_ADDRESS_PER_HOUR: i64 = 3;
pub const PER_CLIENT_PER_HOUR: i64 = 20;

/// An email refused by the limits: asking again helps after this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmailRefused {
    pub retry_after_seconds: u64,
}

impl From<EmailRefused> for AppError {
    fn from(refused: EmailRefused) -> Self {
        AppError::TooManyRequests {
            retry_after_seconds: refused.retry_after_seconds,
        }
    }
}

/// Whether one more email may go to `address` at the request of `client`; if so, the request
/// is counted.
pub async fn allow_email(
    state: &AppState,
    address: &str,
    client: String,
) -> Result<Result<(), EmailRefused>, AppError> {
    let address = address.to_lowercase();
    state
        .db(move |conn| {
            let now = crate::db::now();
            let window = Duration::hours(1);
            let since = now - window;
            let counted = email_requests::counts_since(conn, &address, &client, since)?;
            let over_address = counted.for_address >= PER_ADDRESS_PER_HOUR;
            let over_client = counted.from_client >= PER_CLIENT_PER_HOUR;
            if over_address || over_client {
                let limit = if over_address {
                    "email_per_address"
                } else {
                    "email_per_client"
                };
                metrics::counter!("portico_refusals_total", "limit" => limit).increment(1);
                // When the oldest request counted against the limit leaves the window.
                let oldest = [
                    (over_address, counted.oldest_for_address),
                    (over_client, counted.oldest_from_client),
                ]
                .into_iter()
                .filter_map(|(over, oldest)| oldest.filter(|_| over))
                .max()
                .unwrap_or(now);
                let wait = (oldest + window - now).num_seconds().max(1);
                return Ok(Err(EmailRefused {
                    retry_after_seconds: wait.unsigned_abs(),
                }));
            }
            email_requests::record(conn, &address, &client, now, since)?;
            Ok(Ok(()))
        })
        .await
}

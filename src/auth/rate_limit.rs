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

/// Whether one more email may go to `address` at the request of `client`; if so, the request
/// is counted.
pub async fn allow_email(
    state: &AppState,
    address: &str,
    client: String,
) -> Result<bool, AppError> {
    let address = address.to_lowercase();
    state
        .db(move |conn| {
            let now = crate::db::now();
            let since = now - Duration::hours(1);
            let (for_address, from_client) =
                email_requests::counts_since(conn, &address, &client, since)?;
            if for_address >= PER_ADDRESS_PER_HOUR || from_client >= PER_CLIENT_PER_HOUR {
                return Ok(false);
            }
            email_requests::record(conn, &address, &client, now, since)?;
            Ok(true)
        })
        .await
}

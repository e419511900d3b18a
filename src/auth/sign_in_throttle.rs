//! The limits on guessing passwords over the last `WINDOW_MINUTES`: per address and client
//! (a guesser locks out only their own network), per address from any client, and per client
//! across addresses. Counted in the database, so they hold across instances, and per address as
//! typed, so a refusal says nothing about which addresses have accounts. Attempts are counted
//! one at a time as they start, so guesses sent at once get no more than the limits.

use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use chrono::{Duration, NaiveDateTime};
use diesel::QueryResult;

use crate::auth::hashing_threads::off_the_workers;
use crate::auth::sign_in_failures::{self, Counted};
use crate::db::{write_transaction, DbConnection};
use crate::error::AppError;
use crate::state::AppState;

pub const FAILURES_PER_ADDRESS_AND_CLIENT: i64 = 10;
/// NIST SP 800-63B's ceiling on failed attempts at one account.
pub const FAILURES_PER_ADDRESS: i64 = 100;
pub const FAILURES_PER_CLIENT: i64 = 50;
pub const WINDOW_MINUTES: i64 = 15;
/// The longest address a mailbox can have; anything longer is kept cut to this.
const ADDRESS_MAX_CHARS: usize = 254;

/// Who is signing in: agents and Help Center customers are counted apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Agent,
    Customer,
}

impl Audience {
    fn as_str(self) -> &'static str {
        match self {
            Audience::Agent => "agent",
            Audience::Customer => "customer",
        }
    }
}

/// An address as typed, as the limit (and the account lookup) knows it.
pub fn address_key(typed: &str) -> String {
    typed
        .trim()
        .to_lowercase()
        .chars()
        .take(ADDRESS_MAX_CHARS)
        .collect()
}

/// What a refused attempt has had too many failures for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooManyFor {
    /// The address typed (from this client or from all of them).
    Address,
    /// The client, across the addresses it tried.
    Client,
}

/// An attempt that may not be made yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub retry_after: Duration,
    pub too_many_for: TooManyFor,
}

impl Refusal {
    /// Whole seconds until the address may try again, for the `Retry-After` header.
    pub fn retry_after_seconds(&self) -> i64 {
        self.retry_after.num_seconds().max(1)
    }

    /// What the sign-in form says, in whole minutes rounded up.
    pub fn message(&self) -> String {
        let minutes = (self.retry_after_seconds() + 59) / 60;
        let unit = if minutes == 1 { "minute" } else { "minutes" };
        let from = match self.too_many_for {
            TooManyFor::Address => "for this email",
            TooManyFor::Client => "from your network",
        };
        format!("Too many failed sign-in attempts {from}. Try again in {minutes} {unit}.")
    }
}

/// Why an attempt did not sign in, as the sign-in form answers it.
#[derive(Debug)]
pub struct Rejection {
    pub message: String,
    pub status: StatusCode,
    retry_after_seconds: Option<i64>,
}

impl Rejection {
    /// A refusal that is not about the limits: the client may try again at once.
    pub fn now(message: &str, status: StatusCode) -> Rejection {
        Rejection {
            message: message.to_owned(),
            status,
            retry_after_seconds: None,
        }
    }

    /// Tells a refused client when to come back.
    pub fn add_headers(&self, response: &mut HttpResponse) {
        if let Some(seconds) = self.retry_after_seconds {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
    }
}

fn window() -> Duration {
    Duration::minutes(WINDOW_MINUTES)
}

/// How a sign-in attempt ended.
#[derive(Debug)]
pub enum Attempt {
    /// Too many failures for the address lately; the password was not looked at.
    Refused(Refusal),
    Failed,
    /// The id `verify` returned.
    SignedIn(i64),
}

impl Attempt {
    /// The id to sign in, or what the form says instead: `failed_message` for a wrong
    /// address or password.
    pub fn signed_in(self, failed_message: &str) -> Result<i64, Rejection> {
        match self {
            Attempt::SignedIn(id) => Ok(id),
            Attempt::Failed => Err(Rejection {
                message: failed_message.to_owned(),
                status: StatusCode::UNAUTHORIZED,
                retry_after_seconds: None,
            }),
            Attempt::Refused(refusal) => Err(Rejection {
                message: refusal.message(),
                status: StatusCode::TOO_MANY_REQUESTS,
                retry_after_seconds: Some(refusal.retry_after_seconds()),
            }),
        }
    }
}

/// One sign-in attempt for the address typed, from `client`, under the limits: unless it is
/// refused, the attempt is counted as a failure and `find` reads its account, in one
/// transaction that one attempt at a time holds; then `verify` checks the password off the
/// async workers (returning the id to sign in, or `None`), and a success clears the address's
/// failures from that client.
pub async fn attempt<A, F, V>(
    state: &AppState,
    audience: Audience,
    typed: &str,
    client: String,
    find: F,
    verify: V,
) -> Result<Attempt, AppError>
where
    A: Send + 'static,
    F: FnOnce(&mut DbConnection, &str) -> QueryResult<A> + Send + 'static,
    V: FnOnce(A) -> Option<i64> + Send + 'static,
{
    let address = address_key(typed);
    let now = crate::db::now();
    let looked_up = {
        let (address, client) = (address.clone(), client.clone());
        state
            .db(move |conn| {
                write_transaction(conn, |conn| {
                    sign_in_failures::one_attempt_at_a_time(conn)?;
                    if let Some(refusal) = check(conn, audience, &address, &client, now)? {
                        return Ok(Err(refusal));
                    }
                    // Counted as failed until the password proves right, so guesses sent at
                    // once cannot all pass the check while their passwords are being hashed.
                    sign_in_failures::record(
                        conn,
                        audience.as_str(),
                        &address,
                        &client,
                        now,
                        now - window(),
                    )?;
                    Ok(Ok(find(conn, &address)?))
                })
            })
            .await?
    };
    let account = match looked_up {
        Err(refusal) => {
            let limit = match refusal.too_many_for {
                TooManyFor::Address => "sign_in_per_address",
                TooManyFor::Client => "sign_in_per_client",
            };
            metrics::counter!(
                "portico_refusals_total",
                "limit" => limit,
                "audience" => audience.as_str()
            )
            .increment(1);
            return Ok(Attempt::Refused(refusal));
        }
        Ok(account) => account,
    };
    let verified = off_the_workers(move || verify(account)).await?;
    if verified.is_some() {
        state
            .db(move |conn| {
                // Earlier typos from the owner's client no longer count against them.
                Ok(sign_in_failures::clear(
                    conn,
                    audience.as_str(),
                    &address,
                    &client,
                )?)
            })
            .await?;
    }
    Ok(verified.map_or(Attempt::Failed, Attempt::SignedIn))
}

/// Whether `address` may be tried from `client` at `now`: if not, the longest wait any limit
/// it is over asks for.
fn check(
    conn: &mut DbConnection,
    audience: Audience,
    address: &str,
    client: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<Refusal>> {
    let limits = [
        (
            Counted::AddressFromClient {
                email: address,
                client,
            },
            FAILURES_PER_ADDRESS_AND_CLIENT,
            TooManyFor::Address,
        ),
        (
            Counted::Address(address),
            FAILURES_PER_ADDRESS,
            TooManyFor::Address,
        ),
        (
            Counted::Client(client),
            FAILURES_PER_CLIENT,
            TooManyFor::Client,
        ),
    ];
    let mut refusal: Option<Refusal> = None;
    for (counted, allowed, too_many_for) in limits {
        let latest = sign_in_failures::latest_since(
            conn,
            audience.as_str(),
            counted,
            now - window(),
            allowed,
        )?;
        let Some(oldest) = latest.last().filter(|_| latest.len() as i64 >= allowed) else {
            continue;
        };
        let this = Refusal {
            retry_after: *oldest + window() - now,
            too_many_for,
        };
        if refusal.is_none_or(|longest| this.retry_after > longest.retry_after) {
            refusal = Some(this);
        }
    }
    Ok(refusal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_told_in_whole_minutes_rounded_up() {
        let refusal = |seconds| Refusal {
            retry_after: Duration::seconds(seconds),
            too_many_for: TooManyFor::Address,
        };
        assert!(refusal(30).message().ends_with("Try again in 1 minute."));
        assert!(refusal(61).message().ends_with("Try again in 2 minutes."));
        assert!(refusal(900).message().ends_with("Try again in 15 minutes."));
        assert_eq!(refusal(0).retry_after_seconds(), 1);
        let from_client = Refusal {
            too_many_for: TooManyFor::Client,
            ..refusal(60)
        };
        assert_eq!(
            from_client.message(),
            "Too many failed sign-in attempts from your network. Try again in 1 minute."
        );
    }

    #[test]
    fn addresses_are_counted_as_the_account_lookup_reads_them() {
        assert_eq!(address_key("  Ada@Portico.Test "), "ada@portico.test");
        assert_eq!(address_key(&"a".repeat(400)).len(), ADDRESS_MAX_CHARS);
    }
}

//! One error type for the web layer: its status and the words the user reads.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};

use crate::auth::hashing_threads::{HashingError, HashingUnavailable};
use crate::invitations::mass_invite::MassInviteError;
use crate::invitations::InviteError;
use crate::tickets::TicketError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("page not found")]
    NotFound,
    #[error("you do not have access to this page")]
    Forbidden,
    #[error("the form's security token is missing or out of date")]
    CsrfRejected,
    #[error("sign-in required")]
    SignInRequired { next: String },
    #[error("Help Center sign-in required")]
    CustomerSignInRequired { next: String },
    #[error("too many requests")]
    TooManyRequests { retry_after_seconds: u64 },
    #[error("{0}")]
    BadRequest(String),
    #[error("the submitted form is larger than {limit_kib} KiB")]
    PayloadTooLarge { limit_kib: usize },
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("no database connection available: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("could not render the page: {0}")]
    Template(#[from] askama::Error),
    #[error("a background task failed: {0}")]
    Blocking(String),
    #[error(transparent)]
    Invite(#[from] InviteError),
}

/// Whether the database refused because other work held what this needed: SQLite's write lock
/// still taken when `busy_timeout` ran out; on PostgreSQL a lock still held when
/// `lock_timeout` ran out (`db::LOCK_TIMEOUT`), or a transaction given up to a deadlock or a
/// serialization conflict. The transaction was rolled back and nothing was
/// written, so the user can simply try again.
fn is_contention(error: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match error {
        Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        Error::DatabaseError(_, info) => {
            let message = info.message();
            message.starts_with("database is locked")
                || message.starts_with("database table is locked")
                || message.starts_with("canceling statement due to lock timeout")
                || message.starts_with("deadlock detected")
        }
        _ => false,
    }
}

/// How long a client told "busy" should wait before trying again, in seconds.
const BUSY_RETRY_AFTER_SECONDS: u32 = 5;

impl From<HashingUnavailable> for AppError {
    fn from(error: HashingUnavailable) -> Self {
        AppError::Blocking(error.to_string())
    }
}

impl From<MassInviteError> for AppError {
    fn from(error: MassInviteError) -> Self {
        match error {
            MassInviteError::NotFound => AppError::NotFound,
            MassInviteError::Invite(error) => AppError::Invite(error),
            refused => AppError::BadRequest(refused.to_string()),
        }
    }
}

impl From<TicketError> for AppError {
    fn from(error: TicketError) -> Self {
        match error {
            TicketError::Database(error) => AppError::Database(error),
            TicketError::Pool(error) => AppError::Pool(error),
            TicketError::Template(error) => AppError::Template(error),
        }
    }
}

impl From<HashingError> for AppError {
    fn from(error: HashingError) -> Self {
        AppError::Blocking(error.to_string())
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        AppError::Blocking(error.to_string())
    }
}

impl AppError {
    /// This error's response with `body`, the page that tells of it.
    pub fn response_with_page(&self, body: String) -> HttpResponse {
        let status = self.status_code();
        let mut response = HttpResponse::build(status);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.insert_header((header::RETRY_AFTER, BUSY_RETRY_AFTER_SECONDS));
        }
        if let AppError::TooManyRequests {
            retry_after_seconds,
        } = self
        {
            response.insert_header((header::RETRY_AFTER, *retry_after_seconds));
        }
        response.content_type("text/html; charset=utf-8").body(body)
    }

    pub fn title(&self) -> &'static str {
        match self.status_code() {
            StatusCode::NOT_FOUND => "Page not found",
            StatusCode::FORBIDDEN => "Access denied",
            StatusCode::PAYLOAD_TOO_LARGE => "Form too large",
            StatusCode::BAD_REQUEST => "Something is wrong with that request",
            StatusCode::SERVICE_UNAVAILABLE => "Portico is busy",
            StatusCode::TOO_MANY_REQUESTS => "Too many requests",
            _ => "Something went wrong",
        }
    }

    /// What the user reads: specific for their mistakes, generic for ours (details go to the log).
    pub fn user_message(&self) -> String {
        match self {
            AppError::NotFound | AppError::Database(diesel::result::Error::NotFound) => {
                "There is nothing at this address. It may have been deleted, or the link is mistyped.".to_owned()
            }
            AppError::Forbidden => "Your account does not have access to this page.".to_owned(),
            AppError::CsrfRejected => "This form has expired or was not sent from Portico. Go back, reload the page and try again.".to_owned(),
            AppError::BadRequest(message) => message.clone(),
            AppError::Invite(InviteError::QuotaExceeded(refusal)) => refusal.to_string(),
            AppError::PayloadTooLarge { .. } => format!("{self}. Send less at once."),
            AppError::Pool(_) => "Portico cannot reach its database right now. Try again in a moment.".to_owned(),
            AppError::Database(error) if is_contention(error) => "Portico is busy with other changes right now, so nothing was saved. Try again in a moment.".to_owned(),
            AppError::TooManyRequests { retry_after_seconds } => format!(
                "You have asked for this too often. Try again in {}.",
                minutes_to_wait(*retry_after_seconds)
            ),
            _ => "An unexpected error occurred. It has been logged; try again in a moment.".to_owned(),
        }
    }
}

/// "1 minute", "25 minutes": a wait in whole minutes, rounded up.
fn minutes_to_wait(seconds: u64) -> String {
    match seconds.div_ceil(60).max(1) {
        1 => "1 minute".to_owned(),
        minutes => format!("{minutes} minutes"),
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound | AppError::Database(diesel::result::Error::NotFound) => {
                StatusCode::NOT_FOUND
            }
            AppError::Forbidden | AppError::CsrfRejected => StatusCode::FORBIDDEN,
            AppError::SignInRequired { .. } | AppError::CustomerSignInRequired { .. } => {
                StatusCode::SEE_OTHER
            }
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            // The agent's to act on, not a server fault: the page says how many are left.
            AppError::BadRequest(_) | AppError::Invite(InviteError::QuotaExceeded(_)) => {
                StatusCode::BAD_REQUEST
            }
            AppError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Pool(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Database(error) if is_contention(error) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Database(_)
            | AppError::Template(_)
            | AppError::Blocking(_)
            | AppError::Invite(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if self.status_code() == StatusCode::SERVICE_UNAVAILABLE {
            metrics::counter!("portico_busy_answers_total").increment(1);
        }
        let sign_in = match self {
            AppError::SignInRequired { next } => Some(("/login", next)),
            AppError::CustomerSignInRequired { next } => Some(("/portal/login", next)),
            _ => None,
        };
        if let Some((page, next)) = sign_in {
            let location = format!(
                "{page}?next={}",
                url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
            );
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, location))
                .finish();
        }
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        // The page itself is rendered by `routes::error_pages`, in the layout of the wing.
        self.response_with_page(format!("{} {}", status.as_u16(), self.title()))
    }
}

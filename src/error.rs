//! One error type for the web layer, and the one place that turns it into a page.

use actix_session::SessionExt;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use crate::routes::chrome::Chrome;
use crate::routes::portal::PortalChrome;

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
    TooManyRequests,
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
    Invite(#[from] crate::invitations::InviteError),
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

impl From<crate::auth::hashing_threads::HashingUnavailable> for AppError {
    fn from(error: crate::auth::hashing_threads::HashingUnavailable) -> Self {
        AppError::Blocking(error.to_string())
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        AppError::Blocking(error.to_string())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    chrome: Chrome,
    code: u16,
    title: &'a str,
    message: String,
    back_href: &'static str,
    back_label: &'static str,
}

/// The same page in the Help Center's layout, for customers.
#[derive(Template)]
#[template(path = "portal/error.html")]
struct HelpCenterErrorPage<'a> {
    chrome: PortalChrome,
    code: u16,
    title: &'a str,
    message: String,
    back_href: &'static str,
    back_label: &'static str,
}

/// Middleware: an error under /portal is shown in the Help Center's layout, with a way back to
/// the Help Center; the agents' layout would send a customer to the agents' sign-in.
pub async fn help_center_error_pages<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let path = req.path();
    if path != "/portal" && !path.starts_with("/portal/") {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let session = req.get_session();
    let response = next.call(req).await?;
    let page = response
        .response()
        .error()
        .and_then(|error| error.as_error::<AppError>())
        .and_then(|error| error.help_center_page(PortalChrome::for_error_page(&session)));
    Ok(match page {
        Some(page) => response.into_response(page).map_into_right_body(),
        None => response.map_into_left_body(),
    })
}

impl AppError {
    /// This error's page for a customer; None for a redirect, which needs no page.
    fn help_center_page(&self, chrome: PortalChrome) -> Option<HttpResponse> {
        let status = self.status_code();
        if status.is_redirection() {
            return None;
        }
        let page = HelpCenterErrorPage {
            chrome,
            code: status.as_u16(),
            title: self.title(),
            message: self.user_message(),
            back_href: "/portal",
            back_label: "Back to the Help Center",
        };
        Some(self.page_response(page.render()))
    }

    fn page_response(&self, rendered: askama::Result<String>) -> HttpResponse {
        let status = self.status_code();
        let body = rendered.unwrap_or_else(|_| format!("{} {}", status.as_u16(), self.title()));
        let mut response = HttpResponse::build(status);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.insert_header((header::RETRY_AFTER, BUSY_RETRY_AFTER_SECONDS));
        }
        response.content_type("text/html; charset=utf-8").body(body)
    }

    fn title(&self) -> &'static str {
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
    fn user_message(&self) -> String {
        match self {
            AppError::NotFound | AppError::Database(diesel::result::Error::NotFound) => {
                "There is nothing at this address. It may have been deleted, or the link is mistyped.".to_owned()
            }
            AppError::Forbidden => "Your account does not have access to this page.".to_owned(),
            AppError::CsrfRejected => "This form has expired or was not sent from Portico. Go back, reload the page and try again.".to_owned(),
            AppError::BadRequest(message) => message.clone(),
            AppError::PayloadTooLarge { .. } => format!("{self}. Send less at once."),
            AppError::Pool(_) => "Portico cannot reach its database right now. Try again in a moment.".to_owned(),
            AppError::Database(error) if is_contention(error) => "Portico is busy with other changes right now, so nothing was saved. Try again in a moment.".to_owned(),
            AppError::TooManyRequests => "You have asked for this too often. Wait a few minutes and try again.".to_owned(),
            _ => "An unexpected error occurred. It has been logged; try again in a moment.".to_owned(),
        }
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
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
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
        let page = ErrorPage {
            chrome: Chrome::bare(),
            code: status.as_u16(),
            title: self.title(),
            message: self.user_message(),
            back_href: "/",
            back_label: "Back to Portico",
        };
        self.page_response(page.render())
    }
}

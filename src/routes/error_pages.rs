//! The one place an error becomes a page: in the Help Center's layout under /portal (the
//! agents' layout would send a customer to the agents' sign-in), the agents' elsewhere.

use actix_session::SessionExt;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, ResponseError};
use askama::Template;

use crate::error::AppError;
use crate::routes::chrome::Chrome;
use crate::routes::portal::PortalChrome;
use crate::telemetry::RequestId;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    chrome: Chrome,
    code: u16,
    title: &'a str,
    message: String,
    back_href: &'static str,
    back_label: &'static str,
    /// The request's ID, which its log lines carry.
    reference: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/error.html")]
struct HelpCenterErrorPage<'a> {
    chrome: PortalChrome,
    code: u16,
    title: &'a str,
    message: String,
    back_href: &'static str,
    back_label: &'static str,
    /// The request's ID, which its log lines carry.
    reference: Option<String>,
}

/// Middleware: replaces the plain body of an `AppError`'s response with its page.
pub async fn error_pages<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let path = req.path();
    let in_help_center = path == "/portal" || path.starts_with("/portal/");
    let session = req.get_session();
    let reference = req.extensions().get::<RequestId>().map(|id| id.0.clone());
    let response = next.call(req).await?;
    let Some(error) = response
        .response()
        .error()
        .and_then(|error| error.as_error::<AppError>())
        .filter(|error| !error.status_code().is_redirection())
    else {
        return Ok(response.map_into_left_body());
    };
    let code = error.status_code().as_u16();
    let rendered = if in_help_center {
        HelpCenterErrorPage {
            chrome: PortalChrome::for_error_page(&session),
            code,
            title: error.title(),
            message: error.user_message(),
            back_href: "/portal",
            back_label: "Back to the Help Center",
            reference,
        }
        .render()
    } else {
        ErrorPage {
            chrome: Chrome::bare(),
            code,
            title: error.title(),
            message: error.user_message(),
            back_href: "/",
            back_label: "Back to Portico",
            reference,
        }
        .render()
    };
    let Ok(body) = rendered else {
        return Ok(response.map_into_left_body());
    };
    let page = error.response_with_page(body);
    Ok(response.into_response(page).map_into_right_body())
}

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;
use askama::Template;

use crate::error::AppError;

pub fn page(template: &impl Template) -> Result<HttpResponse, AppError> {
    page_with_status(template, StatusCode::OK)
}

/// A page with another status: a form sent back with its errors (422), a refused sign-in (401).
/// An email's HTML as a page of its own, for a preview frame: its inline styles apply, nothing
/// in it runs, and only a Portico page may frame it.
pub fn email_in_a_frame(html: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; img-src data: https:; \
             frame-ancestors 'self'; sandbox",
        ))
        .insert_header(("X-Frame-Options", "SAMEORIGIN"))
        .body(html)
}

pub fn page_with_status(
    template: &impl Template,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(template.render()?))
}

/// POST/redirect/GET: after a form is handled, the browser asks for the result page.
pub fn redirect_see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

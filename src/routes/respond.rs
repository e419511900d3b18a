use actix_web::http::header;
use actix_web::HttpResponse;
use askama::Template;

use crate::error::AppError;

pub fn page(template: &impl Template) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(template.render()?))
}

/// POST/redirect/GET: after a form is handled, the browser asks for the result page.
pub fn redirect_see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

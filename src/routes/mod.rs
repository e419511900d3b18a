//! HTTP routes: the agents' wing, the Help Center wing (later), and operations endpoints.

pub mod agent;
mod assets;
pub mod chrome;
pub mod clean_input;
mod emailed;
pub mod error_pages;
pub mod form;
mod health;
mod password_link;
pub mod portal;
mod respond;
pub mod session_list;
pub mod ticket_message;

use actix_web::web;

pub use respond::{email_in_a_frame, page, page_with_status, redirect_see_other};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::liveness))
        .route("/readyz", web::get().to(health::readiness))
        .configure(assets::configure);
    agent::configure(cfg);
    portal::configure(cfg);
}

/// Any address no route claims.
pub async fn not_found() -> Result<actix_web::HttpResponse, crate::error::AppError> {
    Err(crate::error::AppError::NotFound)
}

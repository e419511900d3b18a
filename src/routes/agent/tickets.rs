//! Tickets: the list by status, and a ticket's page where agents reply and change its status.

mod detail;
mod list;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/tickets", web::get().to(list::list))
        .route("/tickets/{id}", web::get().to(detail::show))
        .route("/tickets/{id}/reply", web::post().to(detail::reply))
        .route(
            "/tickets/{id}/status",
            web::post().to(detail::change_status),
        );
}

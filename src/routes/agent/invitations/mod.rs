//! Inviting contacts to the Help Center: one from its page, or a selection from the list (a
//! mass invite). A whole view is a bulk job (`bulk_jobs`).

mod mass_invite;
mod single;

use actix_web::web;

pub use mass_invite::{mass_invite, new_submission_key};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/contacts/{id}/invite", web::get().to(single::preview))
        .route(
            "/contacts/{id}/invite/email.html",
            web::get().to(single::preview_html),
        )
        .route("/contacts/{id}/invite", web::post().to(single::invite))
        .route(
            "/contacts/{id}/invitation/resend",
            web::post().to(single::resend),
        )
        .route(
            "/contacts/{id}/invitation/revoke",
            web::post().to(single::revoke),
        )
        .route(
            "/invitations/batches/{id}",
            web::get().to(mass_invite::show),
        )
        .route(
            "/invitations/batches/{id}/retry",
            web::post().to(mass_invite::retry),
        );
}

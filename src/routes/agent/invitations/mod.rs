//! Inviting contacts to the Help Center: one from its page, a selection from the list (a
//! batch), or a whole view (a bulk job).

mod batches;
mod bulk;
mod single;

use actix_web::web;

pub use batches::{mass_invite, new_submission_key};
pub use bulk::start as start_bulk_job;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/contacts/{id}/invite", web::get().to(single::preview))
        .route("/contacts/{id}/invite", web::post().to(single::invite))
        .route(
            "/contacts/{id}/invitation/resend",
            web::post().to(single::resend),
        )
        .route(
            "/contacts/{id}/invitation/revoke",
            web::post().to(single::revoke),
        )
        .route("/invitations/batches/{id}", web::get().to(batches::show))
        .route(
            "/invitations/batches/{id}/retry",
            web::post().to(batches::retry),
        )
        .route("/invitations/bulk", web::get().to(bulk::list))
        .route("/invitations/bulk/{id}", web::get().to(bulk::show))
        .route(
            "/invitations/bulk/{id}/continue",
            web::post().to(bulk::work),
        )
        .route("/invitations/bulk/{id}/pause", web::post().to(bulk::pause))
        .route(
            "/invitations/bulk/{id}/resume",
            web::post().to(bulk::resume),
        )
        .route(
            "/invitations/bulk/{id}/cancel",
            web::post().to(bulk::cancel),
        );
}

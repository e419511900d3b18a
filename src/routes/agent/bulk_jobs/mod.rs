//! Customers → Bulk jobs: a whole-view action confirmed, started, and followed while the job
//! runner works it.

mod confirm;
mod job;

use actix_web::{web, HttpResponse};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/bulk-jobs", web::get().to(job::list))
        .route("/bulk-jobs", web::post().to(confirm::start))
        .route("/bulk-jobs/new", web::get().to(confirm::confirm))
        .route("/bulk-jobs/{id}", web::get().to(job::show))
        .route("/bulk-jobs/{id}/progress", web::get().to(job::progress))
        .route("/bulk-jobs/{id}/rows.csv", web::get().to(job::rows_csv))
        .route("/bulk-jobs/{id}/pause", web::post().to(job::pause))
        .route("/bulk-jobs/{id}/resume", web::post().to(job::resume))
        .route("/bulk-jobs/{id}/cancel", web::post().to(job::cancel))
        .route(
            "/bulk-jobs/{id}/retry-failed",
            web::post().to(job::retry_failed),
        )
        .route(
            "/bulk-jobs/{id}/resend-unknown",
            web::post().to(job::resend_unknown),
        )
        // Where bulk jobs lived before they covered every whole-view action: bookmarks work.
        .route(
            "/invitations/bulk",
            web::get().to(|| async { moved("/bulk-jobs".to_owned()) }),
        )
        .route(
            "/invitations/bulk/{id}",
            web::get().to(|path: web::Path<i64>| async move {
                moved(format!("/bulk-jobs/{}", path.into_inner()))
            }),
        );
}

fn moved(to: String) -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((actix_web::http::header::LOCATION, to))
        .finish()
}

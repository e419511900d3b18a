//! Customers → Contacts: the list with its views, a contact's page, the add/edit form and
//! the mass actions.

mod custom_views;
mod detail;
mod duplicates;
pub(super) mod export;
mod form;
mod import;
pub mod list;
pub(super) mod mass;
mod new_ticket;
pub mod params;
mod portal_access;
pub mod table;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/contacts", web::get().to(list::list))
        .route("/contacts", web::post().to(form::create))
        .route("/contacts/new", web::get().to(form::new_form))
        .route("/contacts/mass-action", web::post().to(mass::apply))
        .configure(custom_views::configure)
        .configure(duplicates::configure)
        .route("/contacts/import", web::get().to(import::upload_form))
        .route("/contacts/import", web::post().to(import::upload))
        .route(
            "/contacts/import/{upload_id}",
            web::get().to(import::preview),
        )
        .route(
            "/contacts/import/{upload_id}/confirm",
            web::post().to(import::confirm),
        )
        .route(
            "/contacts/imports/{import_id}",
            web::get().to(import::result),
        )
        .route(
            "/contacts/imports/{import_id}/rejected.csv",
            web::get().to(import::rejected_csv),
        )
        .route("/contacts/export", web::get().to(export::export))
        .route("/contacts/{id}", web::get().to(detail::show))
        .route("/contacts/{id}", web::post().to(form::update))
        .route("/contacts/{id}/edit", web::get().to(form::edit_form))
        .route("/contacts/{id}/spam", web::post().to(detail::mark_spam))
        .route(
            "/contacts/{id}/not-spam",
            web::post().to(detail::unmark_spam),
        )
        .route("/contacts/{id}/delete", web::post().to(detail::delete))
        .route("/contacts/{id}/restore", web::post().to(detail::restore))
        .route(
            "/contacts/{id}/tickets/new",
            web::get().to(new_ticket::form),
        )
        .route(
            "/contacts/{id}/tickets/new",
            web::post().to(new_ticket::create),
        )
        .route(
            "/contacts/{id}/portal/deactivate",
            web::post().to(portal_access::deactivate),
        )
        .route(
            "/contacts/{id}/portal/reactivate",
            web::post().to(portal_access::reactivate),
        );
}

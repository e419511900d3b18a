//! Customers → Contacts: the list with its views, a contact's page, the add/edit form and
//! the mass actions.

mod detail;
mod form;
mod list;
mod mass;
pub mod params;
pub mod table;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/contacts", web::get().to(list::list))
        .route("/contacts", web::post().to(form::create))
        .route("/contacts/new", web::get().to(form::new_form))
        .route("/contacts/mass-action", web::post().to(mass::apply))
        .route("/contacts/{id}", web::get().to(detail::show))
        .route("/contacts/{id}", web::post().to(form::update))
        .route("/contacts/{id}/edit", web::get().to(form::edit_form))
        .route("/contacts/{id}/spam", web::post().to(detail::mark_spam))
        .route(
            "/contacts/{id}/not-spam",
            web::post().to(detail::unmark_spam),
        )
        .route("/contacts/{id}/delete", web::post().to(detail::delete))
        .route("/contacts/{id}/restore", web::post().to(detail::restore));
}

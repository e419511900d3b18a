//! Customers → Accounts: the list, an account's page with its contacts in the same table as
//! the Contacts list, and adding, renaming and deleting accounts.

pub(crate) mod detail;
mod form;
mod list;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/accounts", web::get().to(list::list))
        .route("/accounts", web::post().to(form::create))
        .route("/accounts/new", web::get().to(form::new_form))
        .route("/accounts/names", web::get().to(list::names))
        .route("/accounts/{id}", web::get().to(detail::show))
        .route("/accounts/{id}", web::post().to(form::update))
        .route("/accounts/{id}/edit", web::get().to(form::edit_form))
        .route("/accounts/{id}/delete", web::post().to(detail::delete));
}

//! The agents' side: sign-in, the Customers tab (Contacts, Accounts), Tickets, Knowledge base,
//! Settings.

mod accounts;
mod audit;
mod bulk_jobs;
mod contacts;
mod invitations;
mod knowledge_base;
mod login;
mod password;
mod password_reset;
pub mod sessions;
mod settings;
mod tickets;

use actix_web::web;

use crate::routes::redirect_see_other;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/",
        web::get().to(|| async { redirect_see_other("/contacts") }),
    )
    .service(
        web::resource("/login")
            .route(web::get().to(login::login_form))
            .route(web::post().to(login::login)),
    )
    .route("/logout", web::post().to(login::logout))
    .configure(contacts::configure)
    .configure(invitations::configure)
    .configure(bulk_jobs::configure)
    .configure(accounts::configure)
    .configure(tickets::configure)
    .configure(knowledge_base::configure)
    .configure(settings::configure)
    .configure(password::configure)
    .configure(password_reset::configure)
    .configure(sessions::configure)
    .route("/settings/audit", web::get().to(audit::log));
}

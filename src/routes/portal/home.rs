use actix_session::Session;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::PortalChrome;
use crate::auth::guard::SignedInCustomer;
use crate::auth::session;
use crate::db::models::ticket::Ticket;
use crate::error::AppError;
use crate::routes::{page, redirect_see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage {
    chrome: PortalChrome,
    tickets: Vec<Ticket>,
}

/// Help Center home: the customer's own tickets.
pub async fn home(
    customer: SignedInCustomer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let contact_id = customer.contact.id;
    let tickets = state
        .db(move |conn| Ok(Ticket::for_contact(conn, contact_id)?))
        .await?;
    page(&HomePage {
        chrome: PortalChrome::for_customer(&customer, "tickets"),
        tickets,
    })
}

pub async fn logout(session: Session) -> HttpResponse {
    session::sign_out(&session);
    redirect_see_other("/portal/login?signed_out=1")
}

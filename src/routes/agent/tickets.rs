use actix_web::{web, HttpResponse};
use askama::Template;

use crate::auth::guard::SignedInAgent;
use crate::db::models::ticket::Ticket;
use crate::error::AppError;
use crate::routes::chrome::Chrome;
use crate::routes::page;
use crate::state::AppState;

const SHOWN: i64 = 100;

#[derive(Template)]
#[template(path = "agent/tickets/list.html")]
struct TicketsPage {
    chrome: Chrome,
    tickets: Vec<(Ticket, String)>,
}

pub async fn list(
    agent: SignedInAgent,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let tickets = state
        .db(|conn| Ok(Ticket::recent_with_contact(conn, SHOWN)?))
        .await?;
    page(&TicketsPage {
        chrome: agent.chrome("tickets"),
        tickets,
    })
}

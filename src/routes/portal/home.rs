use actix_session::Session;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::PortalChrome;
use crate::auth::guard::SignedInCustomer;
use crate::auth::signing_in;
use crate::error::AppError;
use crate::routes::{page, redirect_see_other};
use crate::state::AppState;
use crate::tickets::{Ticket, TicketStatus};

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage {
    chrome: PortalChrome,
    tickets: Vec<Ticket>,
    filters: Vec<FilterTab>,
    filter: Filter,
}

pub struct FilterTab {
    pub label: &'static str,
    pub href: &'static str,
    pub count: i64,
    pub active: bool,
}

/// What a customer calls open is anything not closed: on hold still waits for an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    All,
    Open,
    Closed,
}

impl Filter {
    const ALL: [Filter; 3] = [Filter::All, Filter::Open, Filter::Closed];

    fn parse(value: Option<&str>) -> Filter {
        match value {
            Some("open") => Filter::Open,
            Some("closed") => Filter::Closed,
            _ => Filter::All,
        }
    }

    fn statuses(self) -> Option<&'static [TicketStatus]> {
        match self {
            Filter::All => None,
            Filter::Open => Some(&[TicketStatus::Open, TicketStatus::OnHold]),
            Filter::Closed => Some(&[TicketStatus::Closed]),
        }
    }

    fn label(self) -> &'static str {
        match self {
            Filter::All => "All",
            Filter::Open => "Open",
            Filter::Closed => "Closed",
        }
    }

    fn href(self) -> &'static str {
        match self {
            Filter::All => "/portal",
            Filter::Open => "/portal?status=open",
            Filter::Closed => "/portal?status=closed",
        }
    }

    pub fn empty_text(self) -> &'static str {
        match self {
            Filter::All => "You have no tickets yet.",
            Filter::Open => "You have no open tickets.",
            Filter::Closed => "You have no closed tickets.",
        }
    }
}

#[derive(Deserialize)]
pub struct HomeQuery {
    status: Option<String>,
}

/// Help Center home: the customer's own tickets, all of them, the open or the closed ones.
pub async fn home(
    customer: SignedInCustomer,
    state: web::Data<AppState>,
    query: web::Query<HomeQuery>,
) -> Result<HttpResponse, AppError> {
    let filter = Filter::parse(query.status.as_deref());
    let contact_id = customer.contact.id;
    let (tickets, counts) = state
        .db(move |conn| {
            let tickets = Ticket::for_contact_with_status(conn, contact_id, filter.statuses())?;
            let counts = Ticket::status_counts_for_contact(conn, contact_id)?;
            Ok((tickets, counts))
        })
        .await?;
    let filters = Filter::ALL
        .into_iter()
        .map(|tab| FilterTab {
            label: tab.label(),
            href: tab.href(),
            count: match tab {
                Filter::All => counts.total(),
                Filter::Open => counts.open + counts.on_hold,
                Filter::Closed => counts.closed,
            },
            active: tab == filter,
        })
        .collect();
    page(&HomePage {
        chrome: PortalChrome::for_customer(&customer, "tickets"),
        tickets,
        filters,
        filter,
    })
}

pub async fn logout(
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, AppError> {
    signing_in::sign_out(&state, &session).await?;
    Ok(redirect_see_other("/portal/login?signed_out=1"))
}

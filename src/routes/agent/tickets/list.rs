use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::guard::SignedInAgent;
use crate::error::AppError;
use crate::routes::chrome::Chrome;
use crate::routes::page;
use crate::state::AppState;
use crate::tickets::{Ticket, TicketCursor, TicketListRequest, TicketPage, TicketStatus};

const PAGE_SIZE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    after: Option<String>,
    before: Option<String>,
}

pub struct StatusTab {
    pub label: &'static str,
    pub href: String,
    pub count: i64,
    pub active: bool,
}

pub struct TicketRow {
    pub ticket: Ticket,
    pub status: TicketStatus,
    pub contact_name: String,
}

#[derive(Template)]
#[template(path = "agent/tickets/list.html")]
struct TicketsPage {
    chrome: Chrome,
    heading: &'static str,
    tabs: Vec<StatusTab>,
    rows: Vec<TicketRow>,
    first_href: Option<String>,
    previous_href: Option<String>,
    next_href: Option<String>,
}

fn list_href(status: Option<TicketStatus>, position: Option<(&str, TicketCursor)>) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if let Some(status) = status {
        pairs.push(("status", status.as_str().to_owned()));
    }
    if let Some((key, cursor)) = position {
        pairs.push((key, cursor.encode()));
    }
    if pairs.is_empty() {
        return "/tickets".to_owned();
    }
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&pairs)
        .finish();
    format!("/tickets?{query}")
}

fn parse(query: ListQuery) -> Result<TicketListRequest, AppError> {
    let status = match query.status.as_deref() {
        None | Some("") | Some("all") => None,
        Some(value) => Some(TicketStatus::parse(value).ok_or_else(|| {
            AppError::BadRequest(format!("There is no ticket status called “{value}”."))
        })?),
    };
    let cursor_of = |value: &str| {
        TicketCursor::decode(value).ok_or_else(|| {
            AppError::BadRequest(
                "This page link is damaged; start again from the first page.".into(),
            )
        })
    };
    let (cursor, backward) = match (query.after.as_deref(), query.before.as_deref()) {
        (Some(_), Some(_)) => {
            return Err(AppError::BadRequest(
                "A page link cannot point both forward and back.".into(),
            ))
        }
        (Some(after), None) => (Some(cursor_of(after)?), false),
        (None, Some(before)) => (Some(cursor_of(before)?), true),
        (None, None) => (None, false),
    };
    Ok(TicketListRequest {
        status,
        cursor,
        backward,
        page_size: PAGE_SIZE,
    })
}

pub async fn list(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let request = parse(query.into_inner())?;
    let status = request.status;
    let on_first_page = request.cursor.is_none();
    let (
        counts,
        TicketPage {
            rows,
            next,
            previous,
        },
    ) = state
        .db(move |conn| Ok((Ticket::status_counts(conn)?, request.page(conn)?)))
        .await?;
    let mut tabs = vec![StatusTab {
        label: "All tickets",
        href: list_href(None, None),
        count: counts.total(),
        active: status.is_none(),
    }];
    tabs.extend(TicketStatus::ALL.into_iter().map(|tab| StatusTab {
        label: tab.label(),
        href: list_href(Some(tab), None),
        count: counts.of(tab),
        active: status == Some(tab),
    }));
    page(&TicketsPage {
        chrome: agent.chrome("tickets"),
        heading: status.map_or("All tickets", TicketStatus::label),
        tabs,
        rows: rows
            .into_iter()
            .map(|(ticket, contact_name)| TicketRow {
                status: ticket.status(),
                ticket,
                contact_name,
            })
            .collect(),
        first_href: (!on_first_page).then(|| list_href(status, None)),
        previous_href: previous.map(|cursor| list_href(status, Some(("before", cursor)))),
        next_href: next.map(|cursor| list_href(status, Some(("after", cursor)))),
    })
}

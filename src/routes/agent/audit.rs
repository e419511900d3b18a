//! Settings → Audit log (admins): every recorded event, newest first, 50 a page, filtered by
//! agent, action and date.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::Deserialize;

use crate::agents::Agent;
use crate::audit::log::{AuditCursor, AuditEntry, AuditFilter, KNOWN_ACTIONS};
use crate::auth::guard::SignedInAgent;
use crate::error::AppError;
use crate::routes::chrome::Chrome;
use crate::state::AppState;

const PAGE_SIZE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct LogQuery {
    #[serde(default)]
    agent: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// Older than this event (next page).
    before: Option<String>,
    /// Newer than this event (previous page).
    after: Option<String>,
}

#[derive(Debug, Default)]
pub struct FilterErrors {
    pub agent: Option<String>,
    pub action: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl FilterErrors {
    fn any(&self) -> bool {
        self.agent.is_some() || self.action.is_some() || self.from.is_some() || self.to.is_some()
    }
}

#[derive(Template)]
#[template(path = "agent/audit.html")]
struct AuditPage {
    chrome: Chrome,
    query: LogQuery,
    errors: FilterErrors,
    agents: Vec<Agent>,
    actions: &'static [(&'static str, &'static str)],
    entries: Vec<AuditEntry>,
    newest_href: Option<String>,
    newer_href: Option<String>,
    older_href: Option<String>,
}

impl AuditPage {
    fn agent_selected(&self, id: &i64) -> bool {
        self.query.agent.trim() == id.to_string()
    }

    fn action_selected(&self, value: &str) -> bool {
        self.query.action.trim() == value
    }
}

fn parse_date(input: &str, field: &mut Option<String>) -> Option<NaiveDate> {
    let input = input.trim();
    if input.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(input, "%Y-%m-%d") {
        Ok(date) => Some(date),
        Err(_) => {
            *field = Some("Enter a date as YYYY-MM-DD.".to_owned());
            None
        }
    }
}

fn parse_filter(query: &LogQuery) -> (AuditFilter, FilterErrors) {
    let mut errors = FilterErrors::default();
    let agent_id = match query.agent.trim() {
        "" => None,
        typed => typed.parse::<i64>().ok().or_else(|| {
            errors.agent = Some("Choose an agent from the list.".to_owned());
            None
        }),
    };
    let action = match query.action.trim() {
        "" => None,
        typed if KNOWN_ACTIONS.iter().any(|(known, _)| *known == typed) => Some(typed.to_owned()),
        _ => {
            errors.action = Some("Choose an action from the list.".to_owned());
            None
        }
    };
    let from = parse_date(&query.from, &mut errors.from);
    let to = parse_date(&query.to, &mut errors.to);
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            errors.to = Some("The end date is before the start date.".to_owned());
        }
    }
    let start_of = |date: NaiveDate| NaiveDateTime::new(date, NaiveTime::MIN);
    let filter = AuditFilter {
        agent_id,
        action,
        from: from.map(start_of),
        // Up to and including the whole "to" day.
        until: to.and_then(|date| date.succ_opt()).map(start_of),
    };
    (filter, errors)
}

/// This page's address with the filters kept and a cursor.
fn href(query: &LogQuery, cursor: Option<(&str, AuditCursor)>) -> String {
    let mut url = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in [
        ("agent", &query.agent),
        ("action", &query.action),
        ("from", &query.from),
        ("to", &query.to),
    ] {
        if !value.trim().is_empty() {
            url.append_pair(key, value.trim());
        }
    }
    if let Some((direction, cursor)) = cursor {
        url.append_pair(direction, &cursor.encode());
    }
    let encoded = url.finish();
    if encoded.is_empty() {
        "/settings/audit".to_owned()
    } else {
        format!("/settings/audit?{encoded}")
    }
}

pub async fn log(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    query: web::Query<LogQuery>,
) -> Result<HttpResponse, AppError> {
    agent.require_admin()?;
    let query = query.into_inner();
    let (filter, errors) = parse_filter(&query);
    let (cursor, backward) = match (&query.after, &query.before) {
        (Some(after), _) => (AuditCursor::decode(after), true),
        (None, Some(before)) => (AuditCursor::decode(before), false),
        (None, None) => (None, false),
    };
    let invalid = errors.any();
    let (agents, found) = state
        .db(move |conn| {
            let agents = Agent::list(conn)?;
            // A filter that did not parse shows nothing rather than everything.
            let found = if invalid {
                None
            } else {
                Some(crate::audit::log::page(
                    conn, &filter, cursor, backward, PAGE_SIZE,
                )?)
            };
            Ok((agents, found))
        })
        .await?;
    let (entries, older, newer) = match found {
        Some(found) => (found.entries, found.older, found.newer),
        None => (Vec::new(), None, None),
    };
    let status = if invalid {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let body = AuditPage {
        chrome: agent.chrome("settings"),
        newest_href: newer.map(|_| href(&query, None)),
        newer_href: newer.map(|cursor| href(&query, Some(("after", cursor)))),
        older_href: older.map(|cursor| href(&query, Some(("before", cursor)))),
        query,
        errors,
        agents,
        actions: KNOWN_ACTIONS,
        entries,
    }
    .render()?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

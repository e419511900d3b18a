//! The contacts a view holds: its criteria, the filters they make (with the search), and the
//! view-wide reads that need no order (counts, ids for mass actions).

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use super::conditions::{self, Clock, Condition};
use super::search;
use crate::db::literal::{BoolLiteral, TextLiteral};
use crate::db::schema::{contacts, tickets};
use crate::db::{contains_pattern, escape_like, lower_function, Backend, DbConnection};
use crate::domain::{ShownStatus, TimeZone};

type Db = <DbConnection as Connection>::Backend;
type ContactQuery = contacts::BoxedQuery<'static, Db>;

/// Which part of the table a view draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Scope {
    /// Live contacts that are not spam: what "All contacts" means.
    #[default]
    Listed,
    Spam,
    /// Live contacts (spam or not) that share an address or a name and phone with another.
    PossibleDuplicates,
    /// Live contacts, spam or not: a custom view whose conditions ask about spam.
    Live,
    RecentlyDeleted,
}

/// Everything a view can ask for; standard views, accounts and custom views all build one.
/// Bulk jobs keep it as JSON, so a job works the view as it was when the agent started it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Criteria {
    pub scope: Scope,
    pub status: Option<ShownStatus>,
    pub without_email: bool,
    pub account_id: Option<i64>,
    pub import_id: Option<i64>,
    /// Set by no view since custom views hold conditions (migration 000088); still read, so
    /// a bulk job started before then works the view it was started on.
    pub email_domain: Option<String>,
    /// "Added in the last 30 days" starts here.
    pub created_from: Option<NaiveDateTime>,
    /// As `email_domain`: only in bulk jobs started before conditions.
    pub created_until: Option<NaiveDateTime>,
    pub has_open_tickets: Option<bool>,
    pub name_contains: Option<String>,
    /// A custom view's conditions, matched all or any.
    #[serde(default)]
    pub conditions: Vec<Condition>,
    #[serde(default)]
    pub match_any: bool,
    /// Whose days the conditions' dates are (IANA name); UTC without one.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// The moment the conditions' relative dates count back from, when not the time of each
    /// read: a bulk job's start, so it works the view as it was then.
    #[serde(default)]
    pub pinned_at: Option<NaiveDateTime>,
}

/// The contacts a view holds, before sorting.
pub(super) fn filtered(
    criteria: &Criteria,
    backend: Backend,
    search: Option<&str>,
    now: NaiveDateTime,
) -> ContactQuery {
    filtered_with(criteria, backend, search, true, now)
}

/// `drive_from_search_index`: let the database start from the search index's matches (best
/// when they are few) rather than from the sort's index.
pub(super) fn filtered_with(
    criteria: &Criteria,
    backend: Backend,
    search: Option<&str>,
    drive_from_search_index: bool,
    now: NaiveDateTime,
) -> ContactQuery {
    let mut query = contacts::table.into_boxed();
    query = match criteria.scope {
        Scope::Listed => query
            .filter(contacts::deleted_at.is_null())
            .filter(contacts::is_spam.eq(BoolLiteral(false))),
        Scope::Spam => query
            .filter(contacts::deleted_at.is_null())
            .filter(contacts::is_spam.eq(BoolLiteral(true))),
        Scope::PossibleDuplicates => query
            .filter(contacts::deleted_at.is_null())
            .filter(contacts::possible_duplicate.eq(BoolLiteral(true))),
        Scope::RecentlyDeleted => query.filter(contacts::deleted_at.is_not_null()),
        Scope::Live => query.filter(contacts::deleted_at.is_null()),
    };
    if let Some(status) = criteria.status {
        query =
            query.filter(contacts::help_center_status.eq(TextLiteral(status.stored().as_str())));
        query = match status {
            ShownStatus::Invited => query.filter(contacts::invitation_expires_at.gt(now)),
            ShownStatus::Expired => query.filter(contacts::invitation_expires_at.le(now)),
            _ => query,
        };
    }
    if criteria.without_email {
        query = query.filter(contacts::email.is_null());
    }
    if let Some(account_id) = criteria.account_id {
        query = query.filter(contacts::account_id.eq(account_id));
    }
    if let Some(import_id) = criteria.import_id {
        query = query.filter(contacts::import_id.eq(import_id));
    }
    if let Some(domain) = &criteria.email_domain {
        query = query.filter(
            contacts::email
                .like(format!("%@{}", escape_like(&domain.to_lowercase())))
                .escape('\\'),
        );
    }
    if let Some(from) = criteria.created_from {
        query = query.filter(contacts::created_at.ge(from));
    }
    if let Some(until) = criteria.created_until {
        query = query.filter(contacts::created_at.lt(until));
    }
    if let Some(wanted) = criteria.has_open_tickets {
        let open_ticket = diesel::dsl::exists(
            tickets::table
                .filter(tickets::contact_id.eq(contacts::id))
                .filter(tickets::status.eq("open")),
        );
        query = if wanted {
            query.filter(open_ticket)
        } else {
            query.filter(diesel::dsl::not(open_ticket))
        };
    }
    if let Some(fragment) = &criteria.name_contains {
        let lowered = fragment.to_lowercase();
        query = query.filter(
            sql::<Bool>(&format!(
                "{}(contacts.name) LIKE ",
                lower_function(backend, &lowered)
            ))
            .bind::<Text, _>(contains_pattern(&lowered))
            .sql(" ESCAPE '\\'"),
        );
    }
    let clock = Clock {
        now: criteria.pinned_at.unwrap_or(now),
        zone: criteria
            .time_zone
            .as_deref()
            .and_then(TimeZone::parse)
            .unwrap_or_default(),
    };
    if let Some(matching) =
        conditions::matching(backend, &criteria.conditions, criteria.match_any, clock)
    {
        query = query.filter(matching);
    }
    if let Some(term) = search {
        query = query.filter(search::filter(backend, term, drive_from_search_index));
    }
    query
}

/// Up to COUNT_CAP + 1 of the contacts a view holds that match `term`, in no order: for a
/// term no index serves, this one pass over the view is both its count and, under the cap,
/// the rows its page is read from.
pub fn matching_ids_up_to_cap(
    conn: &mut DbConnection,
    criteria: &Criteria,
    term: &str,
    now: NaiveDateTime,
) -> QueryResult<Vec<i64>> {
    let backend = crate::db::backend_of(conn);
    filtered(criteria, backend, Some(term), now)
        .select(contacts::id)
        .limit(super::COUNT_CAP + 1)
        .load(conn)
}

/// Exactly how many contacts a view holds, however many (for a bulk job's total).
pub fn count_in_view(
    conn: &mut DbConnection,
    criteria: &Criteria,
    search: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    search::prepare(conn, search)?;
    let backend = crate::db::backend_of(conn);
    filtered(criteria, backend, search, now)
        .count()
        .get_result(conn)
}

/// Ids of the contacts a view holds, in id order after `after_id`: mass actions on "all N in
/// this view" walk the view in chunks this way.
pub fn ids_in_view(
    conn: &mut DbConnection,
    criteria: &Criteria,
    search: Option<&str>,
    now: NaiveDateTime,
    after_id: i64,
    limit: i64,
) -> QueryResult<Vec<i64>> {
    search::prepare(conn, search)?;
    let backend = crate::db::backend_of(conn);
    filtered(criteria, backend, search, now)
        .filter(contacts::id.gt(after_id))
        .select(contacts::id)
        .order(contacts::id.asc())
        .limit(limit)
        .load(conn)
}

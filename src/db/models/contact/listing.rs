//! The contacts list: filters for every view, substring search, and keyset pagination over
//! each sort, so a deep page costs what the first does.

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text};

use super::cursor::{Cursor, RowsPast};
use super::search;
use super::{ListedContact, ListedRow};
use crate::db::literal::{BoolLiteral, CodeSql, TextLiteral};
use crate::db::schema::{contacts, tickets};
use crate::db::{contains_pattern, escape_like, lower_function, Backend, DbConnection};
use crate::domain::ShownStatus;

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
    pub email_domain: Option<String>,
    pub created_from: Option<NaiveDateTime>,
    pub created_until: Option<NaiveDateTime>,
    pub has_open_tickets: Option<bool>,
    pub name_contains: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Name,
    Email,
    Created,
    LastInvited,
    Status,
}

impl Sort {
    pub const ALL: [Sort; 5] = [
        Sort::Name,
        Sort::Email,
        Sort::Created,
        Sort::LastInvited,
        Sort::Status,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Name => "name",
            Sort::Email => "email",
            Sort::Created => "created",
            Sort::LastInvited => "last_invited",
            Sort::Status => "status",
        }
    }

    pub fn parse(value: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|sort| sort.as_str() == value)
    }

    /// Nullable sort columns list their NULLs after every value, in both directions.
    fn nullable(self) -> bool {
        matches!(self, Sort::Email | Sort::LastInvited)
    }
}

#[derive(Debug, Clone)]
pub struct ListRequest {
    pub criteria: Criteria,
    pub search: Option<String>,
    pub sort: Sort,
    pub descending: bool,
    /// Start after this row (next page), or before it when `backward` (previous page).
    pub cursor: Option<Cursor>,
    pub backward: bool,
    pub page_size: i64,
    pub now: NaiveDateTime,
    /// The search matches more than COUNT_CAP contacts: walking the sort's index and stopping
    /// at a page is then cheaper than fetching every match and sorting it.
    pub broad_search: bool,
    /// Every contact the search matches, when its count already found them (a term no index
    /// serves): the page reads these rows instead of walking the list for them.
    pub only_ids: Option<Vec<i64>>,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub rows: Vec<ListedRow>,
    pub next: Option<Cursor>,
    pub previous: Option<Cursor>,
}

/// The two stretches of a list in display order: rows with a sort value, then rows without.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stretch {
    Valued,
    Null,
}

impl ListRequest {
    pub fn page(&self, conn: &mut DbConnection) -> QueryResult<Page> {
        search::prepare(conn, self.search.as_deref())?;
        let backend = crate::db::backend_of(conn);
        let wanted = self.page_size + 1;
        // Walking backward reads the list in reverse, then flips the rows back.
        let stretches: Vec<Stretch> = match (self.sort.nullable(), self.backward) {
            (false, _) => vec![Stretch::Valued],
            (true, false) => vec![Stretch::Valued, Stretch::Null],
            (true, true) => vec![Stretch::Null, Stretch::Valued],
        };
        let starting_in_null = matches!(self.cursor, Some(Cursor::Null { .. }));
        let mut rows = Vec::new();
        for stretch in stretches {
            // A cursor in one stretch means the other was already passed (or is still ahead).
            let cursor = match (stretch, &self.cursor, starting_in_null) {
                (Stretch::Valued, Some(cursor), false) => Some(cursor),
                (Stretch::Null, Some(cursor), true) => Some(cursor),
                (Stretch::Valued, Some(_), true) if !self.backward => continue,
                (Stretch::Null, Some(_), false) if self.backward => continue,
                _ => None,
            };
            let remaining = wanted - rows.len() as i64;
            if remaining <= 0 {
                break;
            }
            let query = self.stretch_query(backend, stretch, cursor, remaining);
            // The account's name comes with each row (a primary-key lookup per row), rather
            // than from a second query whose IN list SQLite would have to parse every time.
            let with_account_names = query.select((
                ListedContact::as_select(),
                CodeSql::<Nullable<Text>>::new(
                    "(SELECT accounts.name FROM accounts WHERE accounts.id = contacts.account_id)",
                ),
            ));
            rows.extend(
                with_account_names
                    .load::<(ListedContact, Option<String>)>(conn)?
                    .into_iter()
                    .map(|(contact, account_name)| ListedRow {
                        contact,
                        account_name,
                    }),
            );
        }
        let more = rows.len() as i64 > self.page_size;
        rows.truncate(self.page_size as usize);
        if self.backward {
            rows.reverse();
        }
        let first = rows.first().map(|row| Cursor::of(&row.contact, self.sort));
        let last = rows.last().map(|row| Cursor::of(&row.contact, self.sort));
        let (next, previous) = match (self.backward, self.cursor.is_some()) {
            (false, came_from_before) => {
                (last.filter(|_| more), first.filter(|_| came_from_before))
            }
            (true, _) => (last, first.filter(|_| more)),
        };
        Ok(Page {
            rows,
            next,
            previous,
        })
    }

    fn stretch_query(
        &self,
        backend: Backend,
        stretch: Stretch,
        cursor: Option<&Cursor>,
        limit: i64,
    ) -> ContactQuery {
        let mut query = filtered_with(
            &self.criteria,
            backend,
            self.search.as_deref(),
            !self.broad_search,
            self.now,
        );
        if let Some(ids) = &self.only_ids {
            query = query.filter(contacts::id.eq_any(ids.clone()));
        }
        // Reading forward in a descending list, or backward in an ascending one, goes down.
        let downward = self.descending != self.backward;
        let (before, after) = if downward {
            ("<", "DESC")
        } else {
            (">", "ASC")
        };
        let column = match self.sort {
            Sort::Name => "contacts.name",
            Sort::Email => "contacts.email",
            Sort::Created => "contacts.created_at",
            Sort::LastInvited => "contacts.last_invited_at",
            Sort::Status => "contacts.help_center_status",
        };
        if stretch == Stretch::Null {
            query = query.filter(CodeSql::<Bool>::new(format!("{column} IS NULL")));
            if let Some(Cursor::Null { id }) = cursor {
                query = if downward {
                    query.filter(contacts::id.lt(*id))
                } else {
                    query.filter(contacts::id.gt(*id))
                };
            }
            return query.order(order_and_limit(&format!("contacts.id {after}"), limit));
        }
        if self.sort.nullable() {
            query = query.filter(CodeSql::<Bool>::new(format!("{column} IS NOT NULL")));
        }
        query = match cursor {
            Some(Cursor::Null { .. }) | None => query,
            Some(cursor) => {
                let columns = match self.sort {
                    Sort::Status => "contacts.help_center_status, contacts.name".to_owned(),
                    _ => column.to_owned(),
                };
                query.filter(RowsPast {
                    columns: format!("({columns}, contacts.id) {before} ("),
                    cursor: cursor.clone(),
                })
            }
        };
        let order = match self.sort {
            Sort::Status => format!(
                "contacts.help_center_status {after}, contacts.name {after}, contacts.id {after}"
            ),
            _ => format!("{column} {after}, contacts.id {after}"),
        };
        query.order(order_and_limit(&order, limit))
    }
}

/// The ORDER BY with the LIMIT written after it as a literal. diesel binds `.limit()`, and
/// SQLite reads a bound LIMIT while planning, then re-prepares the statement whenever it is
/// bound again; with the number in the text the cached statement is reused as it is.
fn order_and_limit(order: &str, limit: i64) -> CodeSql<Text> {
    CodeSql::new(format!("{order} LIMIT {limit}"))
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
fn filtered_with(
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

//! Exact counts for the standard views, read from the per-bucket and per-day counts that
//! triggers keep in step with every insert, update and delete, plus the one index range count
//! that depends on the clock (expired invitations).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::criteria::{filtered, Criteria, Scope};
use crate::db::literal::{BoolLiteral, CodeSql, TextLiteral};
use crate::db::schema::{contact_daily_counts, contact_view_counts, contacts};
use crate::db::{backend_of, DbConnection};
use crate::domain::{HelpCenterStatus, ShownStatus};
use diesel::sql_types::Integer;

pub const RECENT_DAYS: i64 = 30;
/// Searches and custom views are counted up to this many, then shown as "1,000+": counting a
/// common search term's every match would cost more than showing the page.
pub const COUNT_CAP: i64 = 1_000;

/// How many contacts a view holds: exact when read from the kept counts or counted under the
/// cap, otherwise only known to be more than COUNT_CAP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewTotal {
    count: i64,
    exact: bool,
}

impl ViewTotal {
    pub fn exact(count: i64) -> ViewTotal {
        ViewTotal { count, exact: true }
    }

    /// A total counted row by row, stopping after COUNT_CAP + 1.
    pub fn counted_up_to_cap(counted: i64) -> ViewTotal {
        ViewTotal {
            count: counted.min(COUNT_CAP + 1),
            exact: counted <= COUNT_CAP,
        }
    }

    /// The exact count, or COUNT_CAP + 1 when only "more than the cap" is known.
    pub fn count(self) -> i64 {
        self.count
    }

    pub fn is_exact(self) -> bool {
        self.exact
    }

    pub fn exceeds_cap(self) -> bool {
        self.count > COUNT_CAP
    }
}

#[derive(Debug, Clone, Default)]
pub struct ViewCounts {
    pub all: i64,
    pub by_status: Vec<(ShownStatus, i64)>,
    pub spam: i64,
    pub possible_duplicates: i64,
    pub recent: i64,
    pub without_email: i64,
    pub recently_deleted: i64,
}

#[derive(Queryable)]
struct Bucket {
    status: String,
    is_spam: bool,
    is_deleted: bool,
    has_email: bool,
    possible_duplicate: bool,
    contacts: i64,
}

impl ViewCounts {
    pub fn status(&self, status: ShownStatus) -> i64 {
        self.by_status
            .iter()
            .find(|(shown, _)| *shown == status)
            .map(|(_, count)| *count)
            .unwrap_or(0)
    }

    pub fn read(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<ViewCounts> {
        let buckets: Vec<Bucket> = contact_view_counts::table
            .select((
                contact_view_counts::help_center_status,
                contact_view_counts::is_spam,
                contact_view_counts::is_deleted,
                contact_view_counts::has_email,
                contact_view_counts::possible_duplicate,
                contact_view_counts::contacts,
            ))
            .load(conn)?;
        let sum = |keep: &dyn Fn(&Bucket) -> bool| {
            buckets
                .iter()
                .filter(|b| keep(b))
                .map(|b| b.contacts)
                .sum::<i64>()
        };
        let listed = |b: &Bucket| !b.is_spam && !b.is_deleted;
        let expired = expired_invitations(conn, now)?;
        let invited = sum(&|b| listed(b) && b.status == HelpCenterStatus::Invited.as_str());
        let by_status = ShownStatus::ALL
            .into_iter()
            .map(|status| {
                let count = match status {
                    ShownStatus::Expired => expired,
                    ShownStatus::Invited => invited - expired,
                    other => sum(&|b| listed(b) && b.status == other.stored().as_str()),
                };
                (status, count)
            })
            .collect();
        Ok(ViewCounts {
            all: sum(&listed),
            by_status,
            spam: sum(&|b| b.is_spam && !b.is_deleted),
            possible_duplicates: sum(&|b| b.possible_duplicate && !b.is_deleted),
            recent: recent_contacts(conn, now)?,
            without_email: sum(&|b| listed(b) && !b.has_email),
            recently_deleted: sum(&|b| b.is_deleted),
        })
    }

    /// The count for any criteria: from the kept counts when the criteria is a standard view,
    /// otherwise counted, up to COUNT_CAP + 1 so a broad search stays quick.
    pub fn count(
        &self,
        conn: &mut DbConnection,
        criteria: &Criteria,
        search: Option<&str>,
        now: NaiveDateTime,
    ) -> QueryResult<ViewTotal> {
        if search.is_none() {
            if let Some(count) = self.standard(criteria, now) {
                return Ok(ViewTotal::exact(count));
            }
        }
        super::search::prepare(conn, search)?;
        let backend = backend_of(conn);
        if let Some(term) = search {
            let view = filtered(criteria, backend, None, now);
            if let Some(count) = super::search::count_up_to(conn, view, term, COUNT_CAP + 1)? {
                return Ok(ViewTotal::counted_up_to_cap(count));
            }
        }
        // A constant, not the id: PostgreSQL can then count from an index alone instead of
        // scanning the table for a custom view's sidebar count (target: P1 at 1M contacts).
        let capped_count = |conn: &mut DbConnection| {
            filtered(criteria, backend, search, now)
                .select(CodeSql::<Integer>::new("1"))
                .limit(COUNT_CAP + 1)
                .load::<i32>(conn)
        };
        let found = match search {
            Some(term) => super::search::index_led(conn, term, capped_count)?,
            None => capped_count(conn)?,
        };
        Ok(ViewTotal::counted_up_to_cap(found.len() as i64))
    }

    /// Whether `count` reads these criteria's total from the kept counts (no statement).
    pub fn is_kept(&self, criteria: &Criteria, search: Option<&str>, now: NaiveDateTime) -> bool {
        search.is_none() && self.standard(criteria, now).is_some()
    }

    fn standard(&self, criteria: &Criteria, now: NaiveDateTime) -> Option<i64> {
        let plain = Criteria {
            scope: criteria.scope,
            status: criteria.status,
            without_email: criteria.without_email,
            created_from: criteria.created_from,
            ..Criteria::default()
        };
        if &plain != criteria {
            return None;
        }
        let recent_start = recent_start(now);
        match (
            criteria.scope,
            criteria.status,
            criteria.without_email,
            criteria.created_from,
        ) {
            (Scope::Listed, None, false, None) => Some(self.all),
            (Scope::Listed, Some(status), false, None) => Some(self.status(status)),
            (Scope::Listed, None, true, None) => Some(self.without_email),
            (Scope::Listed, None, false, Some(from)) if from == recent_start => Some(self.recent),
            (Scope::Spam, None, false, None) => Some(self.spam),
            (Scope::PossibleDuplicates, None, false, None) => Some(self.possible_duplicates),
            (Scope::RecentlyDeleted, None, false, None) => Some(self.recently_deleted),
            _ => None,
        }
    }
}

/// The start of "Added in the last 30 days": midnight (UTC) thirty days before today, so the
/// view is thirty whole days plus today, and its count is a sum of per-day counts.
pub fn recent_start(now: NaiveDateTime) -> NaiveDateTime {
    (now.date() - Duration::days(RECENT_DAYS))
        .and_hms_opt(0, 0, 0)
        .unwrap_or(now)
}

fn invited_listed_contacts() -> contacts::BoxedQuery<'static, crate::db::MultiBackend> {
    contacts::table
        .filter(contacts::help_center_status.eq(TextLiteral(HelpCenterStatus::Invited.as_str())))
        .filter(contacts::deleted_at.is_null())
        .filter(contacts::is_spam.eq(BoolLiteral(false)))
        .into_boxed()
}

fn expired_invitations(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<i64> {
    invited_listed_contacts()
        .filter(contacts::invitation_expires_at.le(now))
        .count()
        .get_result(conn)
}

fn recent_contacts(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<i64> {
    let first_day = recent_start(now).format("%Y-%m-%d").to_string();
    let days: Vec<i64> = contact_daily_counts::table
        .filter(contact_daily_counts::day.ge(first_day))
        .select(contact_daily_counts::contacts)
        .load(conn)?;
    Ok(days.iter().sum())
}

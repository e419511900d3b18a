//! P3's baseline: the contacts search with and without its index, on the database itself.
//!
//! With the index: the list page's own two statements, through the portico library (the
//! capped count, then the first page of 50 by name, walking the name index when the count
//! passes the cap, as the page does). Without: the same statements, filters and columns with
//! only the index left out: the substring test the app confirms each match with, alone. On
//! PostgreSQL they also run with bitmap scans off (a GIN index serves only bitmap scans), so
//! pg_trgm cannot be used.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use diesel::connection::SimpleConnection;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text};

use portico::contacts::{
    search_holds_term, Criteria, ListRequest, ListedContact, Sort, ViewCounts, COUNT_CAP,
};
use portico::db::schema::contacts;
use portico::db::{backend_of, now, Backend, DbConnection};

const PAGE_SIZE: i64 = 50;

pub struct Timings {
    pub indexed: Duration,
    pub unindexed: Duration,
    /// The capped count both searches returned (at most COUNT_CAP + 1).
    pub matches: i64,
    /// Every listed contact the term matches, counted once without a cap, so the report can
    /// say how broad or narrow the term is.
    pub total: i64,
    pub runs: usize,
}

/// What one search returned: the capped count and the first page's ids.
type Answer = (i64, Vec<i64>);

pub fn run(database_url: &str, term: &str, runs: usize) -> anyhow::Result<Timings> {
    let pool = portico::db::connect(database_url, 1).context("opening the database")?;
    let mut conn = pool.get().context("opening the database")?;
    let now = now();
    let counts = ViewCounts::read(&mut conn, now)?;
    let indexed = |conn: &mut DbConnection| -> anyhow::Result<Answer> {
        let criteria = Criteria::default();
        let total = counts.count(conn, &criteria, Some(term), now)?.count();
        let page = ListRequest {
            criteria,
            search: Some(term.to_owned()),
            sort: Sort::Name,
            descending: false,
            cursor: None,
            backward: false,
            page_size: PAGE_SIZE,
            now,
            broad_search: total > COUNT_CAP,
            only_ids: None,
        }
        .page(conn)?;
        Ok((total, page.rows.iter().map(|row| row.contact.id).collect()))
    };
    let backend = backend_of(&conn);
    let unindexed = |conn: &mut DbConnection| -> anyhow::Result<Answer> {
        let ids: Vec<i64> = substring_only(backend, term)
            .select(contacts::id)
            .limit(COUNT_CAP + 1)
            .load(conn)?;
        let page: Vec<(ListedContact, Option<String>)> = substring_only(backend, term)
            .select((
                ListedContact::as_select(),
                sql::<Nullable<Text>>(
                    "(SELECT accounts.name FROM accounts WHERE accounts.id = contacts.account_id)",
                ),
            ))
            .order(sql::<Text>("contacts.name_sort ASC, contacts.id ASC"))
            .limit(PAGE_SIZE + 1)
            .load(conn)?;
        Ok((
            ids.len() as i64,
            page.iter()
                .take(PAGE_SIZE as usize)
                .map(|(contact, _)| contact.id)
                .collect(),
        ))
    };
    let (indexed_time, indexed_answer) = median_of(runs, || indexed(&mut conn))?;
    let (unindexed_time, unindexed_answer) = without_index(&mut conn, backend, |conn| {
        median_of(runs, || unindexed(conn))
    })?;
    if indexed_answer != unindexed_answer {
        bail!(
            "the two searches disagree: with the index {} matches and {:?}, without {} and {:?}",
            indexed_answer.0,
            &indexed_answer.1[..indexed_answer.1.len().min(5)],
            unindexed_answer.0,
            &unindexed_answer.1[..unindexed_answer.1.len().min(5)],
        );
    }
    let total = substring_only(backend, term)
        .count()
        .get_result(&mut conn)
        .context("counting every match")?;
    Ok(Timings {
        indexed: indexed_time,
        unindexed: unindexed_time,
        matches: indexed_answer.0,
        total,
        runs,
    })
}

/// The list's "All contacts" filters and the test the app confirms each match with, as the app
/// writes them. The spam test is a literal, as in the app, so SQLite can use the partial indexes
/// of listed contacts.
fn substring_only(
    backend: Backend,
    term: &str,
) -> contacts::BoxedQuery<'static, <DbConnection as Connection>::Backend> {
    let not_spam = match backend {
        Backend::Sqlite => "contacts.is_spam = 0",
        Backend::Postgres => "contacts.is_spam = false",
    };
    contacts::table
        .into_boxed()
        .filter(contacts::deleted_at.is_null())
        .filter(sql::<Bool>(not_spam))
        .filter(search_holds_term(backend, term))
}

fn without_index<T>(
    conn: &mut DbConnection,
    backend: Backend,
    work: impl FnOnce(&mut DbConnection) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    if backend == Backend::Postgres {
        conn.batch_execute("SET enable_bitmapscan = off")?;
    }
    let outcome = work(conn);
    if backend == Backend::Postgres {
        conn.batch_execute("RESET enable_bitmapscan")?;
    }
    outcome
}

/// The median time of `runs` calls after one warm-up call, and the last call's answer.
fn median_of<T>(
    runs: usize,
    mut call: impl FnMut() -> anyhow::Result<T>,
) -> anyhow::Result<(Duration, T)> {
    let mut answer = call()?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        answer = call()?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok((times[times.len() / 2], answer))
}

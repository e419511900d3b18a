//! The contacts search: a substring match over name, email, phone and account name, ignoring
//! case and accents, through each backend's trigram index (SQLite FTS5, PostgreSQL pg_trgm on
//! `contacts_search`), confirmed by a substring test. Both indexes pay for every row of every trigram asked, so the search asks
//! only the term's rarest trigrams, judged from a sample (`trigram_sample`): the sample steers
//! speed, never the answer. Target: P3, a search at 1M contacts.

use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Bool, Integer, Text};
use std::ops::RangeInclusive;

mod confirming;

use super::trigram_sample::{self, choose, Trigram};
use crate::db::literal::CodeSql;
use crate::db::schema::contacts;
use crate::db::{backend_of, Backend, DbConnection};
use crate::domain::folded;

pub use confirming::holds_term;

pub use super::trigram_sample::prepare;

type Db = <DbConnection as Connection>::Backend;
type ContactQuery = contacts::BoxedQuery<'static, Db>;

/// The bits of a search key (`contacts.search_key`) that hold the contact's id; the rest are
/// its name's bucket (`name_order`).
pub(super) const ID_BITS: u32 = 32;
pub(super) const ID_MASK: i64 = (1 << ID_BITS) - 1;

/// The filter for a search term. `drive_from_search_index`: let the database start from the
/// index's matches (best when they are few) rather than from the sort's index.
pub fn filter(
    backend: Backend,
    term: &str,
    drive_from_search_index: bool,
) -> Box<dyn BoxableExpression<contacts::table, Db, SqlType = Bool>> {
    let lowered = term.to_lowercase();
    match backend {
        // Walking the sort's index, the trigram LIKEs would only repeat the confirming test
        // (at twice its cost: they lower one concatenation of the fields).
        Backend::Postgres if !drive_from_search_index => return holds_term(backend, term),
        Backend::Postgres => return trigram_likes(term),
        Backend::Sqlite => {}
    }
    let Some(fts_query) = fts_query(backend, &lowered) else {
        // One or two characters have no trigram and are matched by the text test alone.
        return holds_term(backend, term);
    };
    // Driven from the index's matches. A broad search walking the sort's index on SQLite comes
    // here only without a trigram: otherwise its page reads the matches in name order
    // (`name_order`) or tests entries among the index's candidates (`among_candidates`).
    let in_index = CodeSql::<Bool>::new(format!(
        "contacts.id IN (SELECT rowid & {ID_MASK} FROM contacts_search \
         WHERE contacts_search MATCH "
    ))
    .text(fts_query)
    .code(")");
    Box::new(in_index.and(holds_term(backend, term)))
}

/// Whether the term looks rare enough that the first page of its matches is likely to hold
/// them all (a guess from the trigram sample, to choose which statement to run first).
pub fn looks_rare(backend: Backend, term: &str) -> bool {
    let lowered = term.to_lowercase();
    match backend {
        Backend::Sqlite => {
            fts_query(backend, &lowered).is_some() && trigram_sample::looks_rare(&lowered, |_| true)
        }
        Backend::Postgres => trigram_sample::looks_rare(&folded(term), indexed_by_pg_trgm),
    }
}

/// SQLite: whether the term looks held by at least one contact in `one_in` (a guess from the
/// trigram sample). Such a term's matches are dense along any index, so a page of them is
/// quicker found by testing each entry than by first reading every match from the search index.
pub fn looks_dense(backend: Backend, term: &str, one_in: usize) -> bool {
    let lowered = term.to_lowercase();
    backend == Backend::Sqlite
        && fts_query(backend, &lowered).is_some()
        && trigram_sample::looks_dense(&lowered, one_in)
}

/// Whether no index serves a search for `term`: fewer than three characters on SQLite, no
/// trigram pg_trgm indexes on PostgreSQL. Such a search reads every contact of its view.
pub fn is_unindexed(backend: Backend, term: &str) -> bool {
    match backend {
        Backend::Sqlite => fts_query(backend, &term.to_lowercase()).is_none(),
        Backend::Postgres => choose(&folded(term), indexed_by_pg_trgm).is_empty(),
    }
}

/// Runs a read that joins a search's trigram matches to the contacts, on PostgreSQL with
/// nested loops only: from the trigram index to each match's row, stopping at the read's
/// LIMIT. Given a LIMIT, the planner may instead pick a merge join walking both tables' primary
/// keys in id order, which it costs as stopping early; for "novak" (1 contact in 60 at 1M) it
/// read 60,000 rows of each (50 ms, against 2.4 ms). Which one it picks flipped with each
/// ANALYZE's sample (estimates of 10,101 to 50,505 matches for the true 16,620), so the
/// choice is not left to it. A term no trigram index serves has no such join (it reads every
/// contact of its view, for which a sequential scan is right), so its read runs as it is.
pub fn index_led<T>(
    conn: &mut DbConnection,
    term: &str,
    read: impl FnOnce(&mut DbConnection) -> QueryResult<T>,
) -> QueryResult<T> {
    use diesel::connection::SimpleConnection;
    match conn {
        DbConnection::Postgresql(_) if !is_unindexed(Backend::Postgres, term) => {
            conn.transaction(|conn| {
                conn.batch_execute(
                    "SET LOCAL enable_mergejoin = off; SET LOCAL enable_hashjoin = off; \
                 SET LOCAL enable_seqscan = off",
                )?;
                read(conn)
            })
        }
        _ => read(conn),
    }
}

/// pg_trgm indexes the trigrams inside words: ASCII letters and digits only.
fn indexed_by_pg_trgm(trigram: &Trigram) -> bool {
    trigram
        .iter()
        .all(|character| character.is_ascii_alphanumeric())
}

/// How many of `contacts` (a view's query, without the search) match the term, counting no
/// further than `limit`; `None` where the search has no trigram index (PostgreSQL, or fewer
/// than three characters). The matches are read in the index's order and the reading stops
/// at the limit, where `filter`'s `IN (…)` would first collect every match (16,620 rowids
/// for a common last name at 1M contacts) to count a thousand of them.
pub fn count_up_to(
    conn: &mut DbConnection,
    contacts: ContactQuery,
    term: &str,
    limit: i64,
) -> QueryResult<Option<i64>> {
    let Some(matches) = index_matches(backend_of(conn), contacts, term, ALL_KEYS, false, limit)
    else {
        return Ok(None);
    };
    let count: i64 = CountOf(matches).get_result(conn)?;
    Ok(Some(count))
}

/// The search keys (see `name_order`) of `contacts` matching the term, within `keys`, in key
/// order (descending if asked), at most `limit`; `None` where no trigram index serves the term.
pub(super) fn keys_of_matches(
    conn: &mut DbConnection,
    contacts: ContactQuery,
    term: &str,
    keys: RangeInclusive<i64>,
    descending: bool,
    limit: i64,
) -> QueryResult<Option<Vec<i64>>> {
    match index_matches(backend_of(conn), contacts, term, keys, descending, limit) {
        Some(matches) => matches.load(conn).map(Some),
        None => Ok(None),
    }
}

const ALL_KEYS: RangeInclusive<i64> = 0..=i64::MAX;

/// `SELECT contacts_search.rowid FROM contacts_search WHERE contacts_search MATCH ? AND rowid
/// BETWEEN ? AND ? AND EXISTS (<contact query>) ORDER BY rowid LIMIT n`: driven by the search
/// index in its key order, one primary-key lookup per candidate, stopping at the limit.
struct IndexMatches<Q> {
    fts_query: String,
    matching_contact: Q,
    keys: RangeInclusive<i64>,
    descending: bool,
    limit: i64,
}

/// The matches of `term` among `contacts`; `None` where no trigram index serves the term.
fn index_matches(
    backend: Backend,
    contacts: ContactQuery,
    term: &str,
    keys: RangeInclusive<i64>,
    descending: bool,
    limit: i64,
) -> Option<IndexMatches<impl QueryFragment<Db>>> {
    let lowered = term.to_lowercase();
    let fts_query = fts_query(backend, &lowered)?;
    let matching_contact = contacts
        .filter(CodeSql::<Bool>::new(format!(
            "contacts.id = (contacts_search.rowid & {ID_MASK})"
        )))
        .filter(holds_term(Backend::Sqlite, term))
        .select(CodeSql::<Integer>::new("1"));
    Some(IndexMatches {
        fts_query,
        matching_contact,
        keys,
        descending,
        limit,
    })
}

impl<Q: QueryFragment<Db>> QueryFragment<Db> for IndexMatches<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Db>) -> QueryResult<()> {
        out.push_sql(
            "SELECT contacts_search.rowid FROM contacts_search WHERE contacts_search MATCH ",
        );
        out.push_bind_param::<Text, _>(&self.fts_query)?;
        out.push_sql(" AND contacts_search.rowid BETWEEN ");
        out.push_bind_param::<BigInt, _>(self.keys.start())?;
        out.push_sql(" AND ");
        out.push_bind_param::<BigInt, _>(self.keys.end())?;
        out.push_sql(" AND EXISTS (");
        self.matching_contact.walk_ast(out.reborrow())?;
        out.push_sql(") ORDER BY contacts_search.rowid ");
        out.push_sql(if self.descending { "DESC" } else { "ASC" });
        out.push_sql(" LIMIT ");
        out.push_sql(&self.limit.to_string());
        Ok(())
    }
}

impl<Q> Query for IndexMatches<Q> {
    type SqlType = BigInt;
}

/// `SELECT count(*) FROM (<matches>)`: counted inside SQLite rather than each match handed
/// back to be counted.
struct CountOf<Q>(Q);

impl<Q: QueryFragment<Db>> QueryFragment<Db> for CountOf<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Db>) -> QueryResult<()> {
        out.push_sql("SELECT count(*) FROM (");
        self.0.walk_ast(out.reborrow())?;
        out.push_sql(")");
        Ok(())
    }
}

impl<Q> Query for CountOf<Q> {
    type SqlType = BigInt;
}

macro_rules! uncached_query {
    ($query:ident $(<$param:ident>)?) => {
        // Keyed by its SQL text in the statement cache, like every query built from CodeSql.
        impl$(<$param>)? QueryId for $query$(<$param>)? {
            type QueryId = ();
            const HAS_STATIC_QUERY_ID: bool = false;
        }

        impl<$($param,)? Conn> RunQueryDsl<Conn> for $query$(<$param>)? {}
    };
}

uncached_query!(IndexMatches<Q>);
uncached_query!(CountOf<Q>);

/// Every contact the index finds for the term (its trigrams, before the text test), as a JSON
/// array of ids in ascending order; `None` where no trigram index serves the term. A broad
/// search walking another column's index tests each entry against these; ascending, because
/// SQLite fills an `IN` list's b-tree several times faster from ids in order (target: P3).
pub(super) fn index_candidates(conn: &mut DbConnection, term: &str) -> QueryResult<Option<String>> {
    let Some(fts_query) = fts_query(backend_of(conn), &term.to_lowercase()) else {
        return Ok(None);
    };
    let mut ids: Vec<i64> = IndexCandidates { fts_query }.load(conn)?;
    ids.sort_unstable();
    let listed: Vec<String> = ids.iter().map(i64::to_string).collect();
    Ok(Some(format!("[{}]", listed.join(","))))
}

/// The filter for a search among `candidates` (from `index_candidates`): one of them, and
/// holding the term.
pub(super) fn among_candidates(
    backend: Backend,
    term: &str,
    candidates: &str,
) -> Box<dyn BoxableExpression<contacts::table, Db, SqlType = Bool>> {
    // A unary plus keeps SQLite from driving the query from the list: the walk of the sort's
    // index stops at a page, the list holds thousands.
    let among = CodeSql::<Bool>::new("+contacts.id IN (SELECT value FROM json_each(")
        .text(candidates)
        .code("))");
    Box::new(among.and(holds_term(backend, term)))
}

/// `SELECT rowid & <id mask> FROM contacts_search WHERE contacts_search MATCH ?`.
struct IndexCandidates {
    fts_query: String,
}

impl QueryFragment<Db> for IndexCandidates {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Db>) -> QueryResult<()> {
        out.push_sql(&format!(
            "SELECT rowid & {ID_MASK} FROM contacts_search WHERE contacts_search MATCH "
        ));
        out.push_bind_param::<Text, _>(&self.fts_query)?;
        Ok(())
    }
}

impl Query for IndexCandidates {
    type SqlType = BigInt;
}

uncached_query!(IndexCandidates);

/// The FTS5 query for a lowercased term: its rarest trigrams, ANDed (the index takes their
/// accents off as it does its own). `None` where there is no trigram index to ask.
fn fts_query(backend: Backend, lowered: &str) -> Option<String> {
    if backend != Backend::Sqlite || lowered.chars().count() < 3 {
        return None;
    }
    let chosen = choose(lowered, |_| true);
    Some(
        chosen
            .iter()
            .map(|trigram| format!("\"{}\"", trigram.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" AND "),
    )
}

/// PostgreSQL: the contacts whose search document (`contacts_search`, kept by triggers) holds
/// each chosen trigram, `LIKE '%abc%'` (what the GIN index serves), then `strpos` for the
/// whole term (which it does not, so it only checks the rows found). Without an ASCII
/// letter-or-digit trigram, the substring test alone.
fn trigram_likes(term: &str) -> Box<dyn BoxableExpression<contacts::table, Db, SqlType = Bool>> {
    let chosen = choose(&folded(term), indexed_by_pg_trgm);
    if chosen.is_empty() {
        return holds_term(Backend::Postgres, term);
    }
    // Uncached: a cached statement gets a generic plan on PostgreSQL, made without seeing the
    // trigrams the GIN index needs.
    let mut in_index = CodeSql::<Bool>::new(
        "contacts.id IN (SELECT contacts_search.contact_id FROM contacts_search WHERE ",
    )
    .uncached();
    for (position, trigram) in chosen.iter().enumerate() {
        if position > 0 {
            in_index = in_index.code(" AND ");
        }
        in_index = in_index
            .code("contacts_search.document LIKE ")
            .text(format!("%{trigram}%"));
    }
    Box::new(in_index.code(")").and(holds_term(Backend::Postgres, term)))
}

//! The contacts list's pages: keyset pagination over each sort, so a deep page costs what the
//! first does.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text};

use super::criteria::{filtered_with, Criteria};
use super::cursor::{Cursor, RowsPast};
use super::name_order::{self, NamePage};
use super::search;
use super::sort::Sort;
use super::{ListedContact, ListedRow};
use crate::db::literal::CodeSql;
use crate::db::schema::contacts;
use crate::db::{Backend, DbConnection};

type Db = <DbConnection as Connection>::Backend;
type ContactQuery = contacts::BoxedQuery<'static, Db>;

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

/// A broad SQLite search held by at least one contact in this many reads its page by testing
/// each entry of the sort's index, not among every match read from the search index first
/// (target: P3 for terms most contacts hold, "example" or "555"). The guess assumes the matches are spread along the index; a term this common that every
/// contact early in the sort's order lacked would walk that stretch first.
const DENSE_ONE_IN: usize = 4;

/// How a page's query finds the search's matches.
enum Matching {
    /// Through the search's own filter (its index, or the text test alone).
    Search,
    /// These contacts, known to match and to hold the page; the search is left out.
    Known(Vec<i64>),
    /// Among these candidates from the search index (a JSON array of ids in order), confirmed
    /// by the text test.
    Among(String),
    /// The text test alone on each entry of the sort's index, the search index left out; from
    /// this name on, when no match lies before it.
    TextTest { from_name: Option<String> },
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
        let matching = self.matching(conn, backend)?;
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
            let query = self.stretch_query(backend, stretch, cursor, remaining, &matching);
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

    /// How the page's query finds the search's matches.
    fn matching(&self, conn: &mut DbConnection, backend: Backend) -> QueryResult<Matching> {
        if let Some(ids) = &self.only_ids {
            return Ok(Matching::Known(ids.clone()));
        }
        let Some(term) = self.search.as_deref().filter(|_| self.broad_search) else {
            return Ok(Matching::Search);
        };
        // SQLite's rows lie in the order they were added, so along the creation index each
        // entry's row is the next one on the page just read: testing each directly beats
        // building a lookup of a common last name's candidates (target: P3). Along another
        // index the rows are scattered, and the candidates win unless matches are dense.
        if backend == Backend::Sqlite
            && (self.sort == Sort::Created || search::looks_dense(backend, term, DENSE_ONE_IN))
        {
            return Ok(Matching::TextTest { from_name: None });
        }
        match self.matches_holding_page(conn, backend)? {
            Some(NamePage::Held(ids)) => return Ok(Matching::Known(ids)),
            // The walk starts where the matches do, and finds them dense there: their bucket
            // was too full of them for the search index to finish.
            Some(NamePage::Walk {
                from_name: Some(name),
            }) => {
                return Ok(Matching::TextTest {
                    from_name: Some(name),
                })
            }
            _ => {}
        }
        match backend {
            Backend::Sqlite => {
                Ok(search::index_candidates(conn, term)?.map_or(Matching::Search, Matching::Among))
            }
            Backend::Postgres => Ok(Matching::Search),
        }
    }

    /// A broad search's matches that hold the page, sorted by name; `None` elsewhere, and the
    /// page walks the sort's index. On SQLite they are read from the search index in name
    /// order. On PostgreSQL the walk of the name index reads ids alone: the index holds every
    /// searched field (the name and phone lowercased), so the ~10,000 entries a common last
    /// name's page tests are tested in the index (an index-only scan) and only the page's own
    /// rows are read after (target: P3 on PostgreSQL).
    fn matches_holding_page(
        &self,
        conn: &mut DbConnection,
        backend: Backend,
    ) -> QueryResult<Option<NamePage>> {
        let Some(term) = self.search.as_deref() else {
            return Ok(None);
        };
        if !self.broad_search || self.sort != Sort::Name {
            return Ok(None);
        }
        if backend == Backend::Postgres {
            let walk = self.stretch_query(
                backend,
                Stretch::Valued,
                self.cursor.as_ref(),
                self.page_size + 1,
                &Matching::Search,
            );
            return Ok(Some(NamePage::Held(walk.select(contacts::id).load(conn)?)));
        }
        let past_name = match &self.cursor {
            Some(Cursor::Text { key, .. }) => Some(key.as_str()),
            _ => None,
        };
        let view = || {
            let query = filtered_with(&self.criteria, backend, None, true, self.now);
            match self
                .cursor
                .as_ref()
                .and_then(|cursor| self.rows_past(cursor))
            {
                Some(rows_past) => query.filter(rows_past),
                None => query,
            }
        };
        name_order::matches_holding_page(
            conn,
            view,
            term,
            past_name,
            self.downward(),
            self.page_size + 1,
        )
    }

    /// Reading forward in a descending list, or backward in an ascending one, goes down.
    fn downward(&self) -> bool {
        self.descending != self.backward
    }

    fn sort_column(&self) -> &'static str {
        match self.sort {
            Sort::Name => "contacts.name_sort",
            Sort::Email => "contacts.email",
            Sort::Created => "contacts.created_at",
            Sort::LastInvited => "contacts.last_invited_at",
            Sort::Status => "contacts.help_center_status",
        }
    }

    /// The rows past a cursor among those with a sort value; `None` for a cursor among the
    /// rows without one.
    fn rows_past(&self, cursor: &Cursor) -> Option<RowsPast> {
        if matches!(cursor, Cursor::Null { .. }) {
            return None;
        }
        let columns = match self.sort {
            Sort::Status => "contacts.help_center_status, contacts.name_sort",
            _ => self.sort_column(),
        };
        let before = if self.downward() { "<" } else { ">" };
        Some(RowsPast {
            columns: format!("({columns}, contacts.id) {before} ("),
            cursor: cursor.clone(),
        })
    }

    fn stretch_query(
        &self,
        backend: Backend,
        stretch: Stretch,
        cursor: Option<&Cursor>,
        limit: i64,
        matching: &Matching,
    ) -> ContactQuery {
        let search = match matching {
            Matching::Search => self.search.as_deref(),
            Matching::Known(_) | Matching::Among(_) | Matching::TextTest { .. } => None,
        };
        let mut query = filtered_with(
            &self.criteria,
            backend,
            search,
            !self.broad_search,
            self.now,
        );
        match (matching, self.search.as_deref()) {
            (Matching::Known(ids), _) => query = query.filter(contacts::id.eq_any(ids.clone())),
            (Matching::Among(candidates), Some(term)) => {
                query = query.filter(search::among_candidates(backend, term, candidates))
            }
            (Matching::TextTest { from_name }, Some(term)) => {
                query = query.filter(search::holds_term(backend, term));
                if let Some(name) = from_name {
                    query = query.filter(CodeSql::<Bool>::new("contacts.name_sort >= ").text(name));
                }
            }
            _ => {}
        }
        let downward = self.downward();
        let after = if downward { "DESC" } else { "ASC" };
        let column = self.sort_column();
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
        if let Some(rows_past) = cursor.and_then(|cursor| self.rows_past(cursor)) {
            query = query.filter(rows_past);
        }
        let order = match self.sort {
            Sort::Status => format!(
                "contacts.help_center_status {after}, contacts.name_sort {after}, contacts.id {after}"
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

//! The contacts search: a substring match over name, email and phone, through each backend's
//! trigram index, confirmed by LIKE.
//!
//! On SQLite the FTS5 trigram table finds the rows holding the term's trigrams. Any subset of
//! those trigrams finds every match (LIKE then drops the rows that hold the trigrams but not
//! the term), and FTS5 pays for every row of every trigram it is given: a trigram found in
//! almost every contact ("com", or the digits every address shares) costs as much as reading
//! the whole index, while one found in a few rows costs next to nothing. So the search looks
//! up only the term's rarest trigrams, judged from a sample of the contacts, and of those only
//! the ones that narrow the search: the trigrams of a common last name ("nov", "ova", "vak")
//! are held by the same contacts, so asking for all three reads three lists to find what the
//! rarest one finds alone. The sample only steers speed, never the answer: a stale or empty
//! sample still finds exactly the matches.
//!
//! PostgreSQL's pg_trgm GIN index has the same weakness (a full `LIKE '%term%'` reads the
//! posting list of every trigram in the term), so there the chosen trigrams become one
//! `LIKE '%abc%'` each, which the index serves, and `strpos` confirms the whole term. Only
//! ASCII letters and digits are chosen there: pg_trgm indexes the trigrams inside words, and a
//! pattern it cannot extract a trigram from would not use the index at all.

use std::collections::HashMap;
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Bool, Integer, Text};

use crate::db::literal::CodeSql;
use crate::db::schema::contacts;
use crate::db::{backend_of, Backend, DbConnection};

type Db = <DbConnection as Connection>::Backend;

/// Trigrams of a term given to FTS5 at most.
const TRIGRAMS_LOOKED_UP: usize = 3;
const SAMPLE_BATCHES: usize = 10;
const SAMPLE_BATCH_SIZE: usize = 500;
const SAMPLE_MAX_AGE: Duration = Duration::from_secs(600);

const SEARCHED_TEXT: &str = "lower(contacts.name || ' ' || coalesce(contacts.email, '') || ' ' || coalesce(contacts.phone, ''))";

type Trigram = [char; 3];

/// Which sampled contacts (by their place in the sample, ascending) hold each trigram.
struct TrigramSample {
    taken_at: Instant,
    holders: Holders,
}

type Holders = HashMap<Trigram, Vec<u32>>;

static SAMPLE: RwLock<Option<TrigramSample>> = RwLock::new(None);
static SAMPLING: Mutex<()> = Mutex::new(());

/// Before a search: takes a fresh sample of the contacts' trigrams if there is none
/// or it is older than ten minutes (up to 5,000 contacts read by random id). One
/// request samples at a time; the others go on with the sample they have.
pub fn prepare(conn: &mut DbConnection, search: Option<&str>) -> QueryResult<()> {
    if search.is_none_or(|term| term.chars().count() < 3) {
        return Ok(());
    }
    let fresh = SAMPLE
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .as_ref()
        .is_some_and(|sample| sample.taken_at.elapsed() < SAMPLE_MAX_AGE);
    if fresh {
        return Ok(());
    }
    let Ok(_sampling) = SAMPLING.try_lock() else {
        return Ok(());
    };
    let sample = take_sample(conn)?;
    *SAMPLE
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(sample);
    Ok(())
}

fn take_sample(conn: &mut DbConnection) -> QueryResult<TrigramSample> {
    use rand::Rng;
    let highest: Option<i64> = contacts::table
        .select(diesel::dsl::max(contacts::id))
        .first(conn)?;
    let highest = highest.unwrap_or(0);
    let mut texts = Vec::with_capacity(SAMPLE_BATCHES * SAMPLE_BATCH_SIZE);
    if highest > 0 {
        // Ids drawn at random, not runs of neighbours: neighbouring contacts share digits
        // and names, which would make a common trigram look rare.
        let mut random = rand::thread_rng();
        for _ in 0..SAMPLE_BATCHES {
            let ids: Vec<i64> = (0..SAMPLE_BATCH_SIZE)
                .map(|_| random.gen_range(1..=highest))
                .collect();
            texts.extend(
                contacts::table
                    .filter(contacts::id.eq_any(&ids))
                    .select(sql::<Text>(SEARCHED_TEXT))
                    .load::<String>(conn)?,
            );
        }
    }
    Ok(TrigramSample {
        taken_at: Instant::now(),
        holders: holders_of(&texts),
    })
}

fn holders_of(texts: &[String]) -> Holders {
    let mut holders = Holders::new();
    for (place, text) in (0u32..).zip(texts) {
        let mut seen = trigrams_of(text);
        seen.sort_unstable();
        seen.dedup();
        for trigram in seen {
            holders.entry(trigram).or_default().push(place);
        }
    }
    holders
}

fn trigrams_of(lowered: &str) -> Vec<Trigram> {
    let characters: Vec<char> = lowered.chars().collect();
    characters
        .windows(3)
        .map(|window| [window[0], window[1], window[2]])
        .collect()
}

/// The trigrams to look up for a term, at most TRIGRAMS_LOOKED_UP: the rarest in the sample,
/// then each next rarest only if it at least halves the sampled contacts holding every
/// trigram chosen so far. Once the sample holds none of them it can no longer tell, and the
/// next rarest are taken as before (each narrows a set that is then small anyway).
fn chosen_trigrams(
    lowered: &str,
    holders: &Holders,
    eligible: impl Fn(&Trigram) -> bool,
) -> Vec<String> {
    let mut trigrams = trigrams_of(lowered);
    trigrams.retain(|trigram| eligible(trigram));
    trigrams.sort_unstable();
    trigrams.dedup();
    let held_by = |trigram: &Trigram| holders.get(trigram).map_or(&[][..], Vec::as_slice);
    trigrams.sort_by_key(|trigram| held_by(trigram).len());
    let mut chosen: Vec<Trigram> = Vec::new();
    let mut holding_all: Vec<u32> = Vec::new();
    for trigram in trigrams {
        if chosen.len() == TRIGRAMS_LOOKED_UP {
            break;
        }
        if chosen.is_empty() {
            holding_all = held_by(&trigram).to_vec();
            chosen.push(trigram);
            continue;
        }
        let narrowed = both(&holding_all, held_by(&trigram));
        if narrowed.len() * 2 <= holding_all.len() {
            holding_all = narrowed;
            chosen.push(trigram);
        }
    }
    chosen
        .into_iter()
        .map(|trigram| trigram.iter().collect())
        .collect()
}

/// The places in both ascending lists.
fn both(left: &[u32], right: &[u32]) -> Vec<u32> {
    let mut common = Vec::new();
    let (mut l, mut r) = (0, 0);
    while l < left.len() && r < right.len() {
        match left[l].cmp(&right[r]) {
            std::cmp::Ordering::Less => l += 1,
            std::cmp::Ordering::Greater => r += 1,
            std::cmp::Ordering::Equal => {
                common.push(left[l]);
                l += 1;
                r += 1;
            }
        }
    }
    common
}

/// The filter for a search term. `drive_from_search_index`: let the database start from the
/// index's matches (best when they are few) rather than from the sort's index.
pub fn filter(
    backend: Backend,
    term: &str,
    drive_from_search_index: bool,
) -> Box<dyn BoxableExpression<contacts::table, Db, SqlType = Bool>> {
    let lowered = term.to_lowercase();
    if backend == Backend::Postgres {
        return trigram_likes(&lowered);
    }
    let Some(fts_query) = fts_query(backend, &lowered) else {
        // One or two characters have no trigram and are matched by LIKE alone.
        return like_filter(&lowered);
    };
    // A unary plus keeps SQLite from using the id lookup to drive the query.
    let membership = if drive_from_search_index {
        "contacts.id"
    } else {
        "+contacts.id"
    };
    Box::new(
        sql::<Bool>(&format!(
            "{membership} IN (SELECT rowid FROM contacts_search WHERE contacts_search MATCH "
        ))
        .bind::<Text, _>(fts_query)
        .sql(") AND ")
        .sql(&like_sql())
        .bind::<Text, _>(like_pattern(&lowered))
        .sql(" ESCAPE '\\'"),
    )
}

/// How many of `contacts` (a view's query, without the search) match the term, counting no
/// further than `limit`; `None` where the search has no trigram index (PostgreSQL, or fewer
/// than three characters). The matches are read in the index's order and the reading stops
/// at the limit, where `filter`'s `IN (…)` would first collect every match (16,620 rowids
/// for a common last name at 1M contacts) to count a thousand of them.
pub fn count_up_to(
    conn: &mut DbConnection,
    contacts: contacts::BoxedQuery<'static, Db>,
    term: &str,
    limit: i64,
) -> QueryResult<Option<i64>> {
    let lowered = term.to_lowercase();
    let Some(fts_query) = fts_query(backend_of(conn), &lowered) else {
        return Ok(None);
    };
    let matching_contact = contacts
        .filter(CodeSql::<Bool>::new("contacts.id = contacts_search.rowid"))
        .filter(like_filter(&lowered))
        .select(CodeSql::<Integer>::new("1"));
    let rowids: Vec<i64> = IndexMatches {
        fts_query,
        matching_contact,
        limit,
    }
    .load(conn)?;
    Ok(Some(rowids.len() as i64))
}

/// `SELECT rowid FROM contacts_search WHERE contacts_search MATCH ? AND EXISTS (<contact
/// query>) LIMIT n`: driven by the search index, one primary-key lookup per candidate.
struct IndexMatches<Q> {
    fts_query: String,
    matching_contact: Q,
    limit: i64,
}

impl<Q: QueryFragment<Db>> QueryFragment<Db> for IndexMatches<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Db>) -> QueryResult<()> {
        out.push_sql(
            "SELECT contacts_search.rowid FROM contacts_search WHERE contacts_search MATCH ",
        );
        out.push_bind_param::<Text, _>(&self.fts_query)?;
        out.push_sql(" AND EXISTS (");
        self.matching_contact.walk_ast(out.reborrow())?;
        out.push_sql(") LIMIT ");
        out.push_sql(&self.limit.to_string());
        Ok(())
    }
}

impl<Q> QueryId for IndexMatches<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q> Query for IndexMatches<Q> {
    type SqlType = BigInt;
}

impl<Q, Conn> RunQueryDsl<Conn> for IndexMatches<Q> {}

/// The FTS5 query for a lowercased term: its rarest trigrams, ANDed. `None` where there is no
/// trigram index to ask.
fn fts_query(backend: Backend, lowered: &str) -> Option<String> {
    if backend != Backend::Sqlite || lowered.chars().count() < 3 {
        return None;
    }
    let chosen = choose_from_sample(lowered, |_| true);
    Some(
        chosen
            .iter()
            .map(|trigram| format!("\"{}\"", trigram.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" AND "),
    )
}

/// PostgreSQL: `LIKE '%abc%'` for each chosen trigram (what the GIN index serves), then
/// `strpos` for the whole term (which it does not, so it only checks the rows found). Without
/// an ASCII letter-or-digit trigram, the whole term's LIKE as before.
fn trigram_likes(lowered: &str) -> Box<dyn BoxableExpression<contacts::table, Db, SqlType = Bool>> {
    let chosen = choose_from_sample(lowered, |trigram| {
        trigram
            .iter()
            .all(|character| character.is_ascii_alphanumeric())
    });
    if chosen.is_empty() {
        return like_filter(lowered);
    }
    let holds_term: Box<dyn BoxableExpression<contacts::table, Db, SqlType = Bool>> = Box::new(
        sql::<Bool>(&format!("strpos({SEARCHED_TEXT}, "))
            .bind::<Text, _>(lowered.to_owned())
            .sql(") > 0"),
    );
    chosen.iter().fold(holds_term, |all, trigram| {
        let holds_trigram = sql::<Bool>(&like_sql()).bind::<Text, _>(format!("%{trigram}%"));
        Box::new(holds_trigram.and(all))
    })
}

fn choose_from_sample(lowered: &str, eligible: impl Fn(&Trigram) -> bool) -> Vec<String> {
    let sample = SAMPLE
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let empty = Holders::new();
    chosen_trigrams(
        lowered,
        sample.as_ref().map_or(&empty, |sample| &sample.holders),
        eligible,
    )
}

/// The searched text holds the term: what confirms every match, with or without an index.
fn like_filter(lowered: &str) -> Box<dyn BoxableExpression<contacts::table, Db, SqlType = Bool>> {
    Box::new(
        sql::<Bool>(&like_sql())
            .bind::<Text, _>(like_pattern(lowered))
            .sql(" ESCAPE '\\'"),
    )
}

fn like_sql() -> String {
    format!("{SEARCHED_TEXT} LIKE ")
}

fn like_pattern(lowered: &str) -> String {
    format!("%{}%", escape_like(lowered))
}

pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any(_: &Trigram) -> bool {
        true
    }

    #[test]
    fn only_eligible_trigrams_are_chosen() {
        let holders = sample(&[("anna novak", 10), ("ivan ivanov", 30)]);
        let letters_only = |trigram: &Trigram| trigram.iter().all(char::is_ascii_alphanumeric);
        assert_eq!(chosen_trigrams("k.nov", &holders, letters_only), ["nov"]);
        assert!(chosen_trigrams("a.b-c", &holders, letters_only).is_empty());
    }

    fn sample(texts: &[(&str, usize)]) -> Holders {
        let texts: Vec<String> = texts
            .iter()
            .flat_map(|(text, copies)| std::iter::repeat_n(text.to_string(), *copies))
            .collect();
        holders_of(&texts)
    }

    #[test]
    fn trigrams_held_by_the_same_contacts_as_the_rarest_are_left_out() {
        // Every "vak" in the sample comes with "nov" and "ova": they would narrow nothing.
        let holders = sample(&[("anna novak", 10), ("ivan ivanov", 30), ("petrova", 30)]);
        assert_eq!(chosen_trigrams("novak", &holders, any), ["vak"]);
    }

    #[test]
    fn trigrams_that_narrow_the_rarest_are_added() {
        let holders = sample(&[("qz1a", 4), ("az12", 6), ("qz12", 1), ("xyz", 20)]);
        assert_eq!(chosen_trigrams("qz12", &holders, any), ["qz1", "z12"]);
    }

    #[test]
    fn unknown_trigrams_count_as_rarest_and_at_most_three_are_used() {
        let holders = sample(&[("novak", 50), ("k12", 9)]);
        assert_eq!(
            chosen_trigrams("novak123", &holders, any),
            ["123", "ak1", "k12"]
        );
    }

    #[test]
    fn without_a_sample_the_first_trigrams_are_used() {
        assert_eq!(
            chosen_trigrams("abcabcd", &Holders::new(), any),
            ["abc", "bca", "bcd"]
        );
    }
}

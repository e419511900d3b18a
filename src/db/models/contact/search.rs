//! The contacts search: a substring match over name, email and phone, through each backend's
//! trigram index, confirmed by LIKE.
//!
//! On SQLite the FTS5 trigram table finds the rows holding the term's trigrams. Any subset of
//! those trigrams finds every match (LIKE then drops the rows that hold the trigrams but not
//! the term), and FTS5 pays for every row of every trigram it is given: a trigram found in
//! almost every contact ("com", or the digits every address shares) costs as much as reading
//! the whole index, while one found in a few rows costs next to nothing. So the search looks
//! up only the term's rarest trigrams, judged from a sample of the contacts. The sample only
//! steers speed, never the answer: a stale or empty sample still finds exactly the matches.

use std::collections::HashMap;
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use crate::db::schema::contacts;
use crate::db::{backend_of, Backend, DbConnection};

type Db = <DbConnection as Connection>::Backend;

/// Trigrams of a term given to FTS5 at most; the rarest ones.
const TRIGRAMS_LOOKED_UP: usize = 3;
const SAMPLE_BATCHES: usize = 10;
const SAMPLE_BATCH_SIZE: usize = 500;
const SAMPLE_MAX_AGE: Duration = Duration::from_secs(600);

const SEARCHED_TEXT: &str = "lower(contacts.name || ' ' || coalesce(contacts.email, '') || ' ' || coalesce(contacts.phone, ''))";

type Trigram = [char; 3];

/// How many sampled contacts hold each trigram.
struct TrigramSample {
    taken_at: Instant,
    contacts_holding: HashMap<Trigram, u32>,
}

static SAMPLE: RwLock<Option<TrigramSample>> = RwLock::new(None);
static SAMPLING: Mutex<()> = Mutex::new(());

/// Before a search on SQLite: takes a fresh sample of the contacts' trigrams if there is none
/// or it is older than ten minutes (up to 5,000 contacts read by random id). One
/// request samples at a time; the others go on with the sample they have.
pub fn prepare(conn: &mut DbConnection, search: Option<&str>) -> QueryResult<()> {
    if search.is_none() || backend_of(conn) != Backend::Sqlite {
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
    let mut contacts_holding: HashMap<Trigram, u32> = HashMap::new();
    if highest > 0 {
        // Ids drawn at random, not runs of neighbours: neighbouring contacts share digits
        // and names, which would make a common trigram look rare.
        let mut random = rand::thread_rng();
        for _ in 0..SAMPLE_BATCHES {
            let ids: Vec<i64> = (0..SAMPLE_BATCH_SIZE)
                .map(|_| random.gen_range(1..=highest))
                .collect();
            let texts: Vec<String> = contacts::table
                .filter(contacts::id.eq_any(&ids))
                .select(sql::<Text>(SEARCHED_TEXT))
                .load(conn)?;
            for text in texts {
                let mut seen = trigrams_of(&text);
                seen.sort_unstable();
                seen.dedup();
                for trigram in seen {
                    *contacts_holding.entry(trigram).or_default() += 1;
                }
            }
        }
    }
    Ok(TrigramSample {
        taken_at: Instant::now(),
        contacts_holding,
    })
}

fn trigrams_of(lowered: &str) -> Vec<Trigram> {
    let characters: Vec<char> = lowered.chars().collect();
    characters
        .windows(3)
        .map(|window| [window[0], window[1], window[2]])
        .collect()
}

/// The term's distinct trigrams, the rarest in the sample first, at most TRIGRAMS_LOOKED_UP.
fn rarest_trigrams(lowered: &str, contacts_holding: &HashMap<Trigram, u32>) -> Vec<String> {
    let mut trigrams = trigrams_of(lowered);
    trigrams.sort_unstable();
    trigrams.dedup();
    trigrams.sort_by_key(|trigram| contacts_holding.get(trigram).copied().unwrap_or(0));
    trigrams.truncate(TRIGRAMS_LOOKED_UP);
    trigrams
        .into_iter()
        .map(|trigram| trigram.iter().collect())
        .collect()
}

/// The filter for a search term. `drive_from_search_index`: let the database start from the
/// index's matches (best when they are few) rather than from the sort's index.
pub fn filter(
    backend: Backend,
    term: &str,
    drive_from_search_index: bool,
) -> Box<dyn BoxableExpression<contacts::table, Db, SqlType = Bool>> {
    let lowered = term.to_lowercase();
    let pattern = format!("%{}%", escape_like(&lowered));
    let like = format!("{SEARCHED_TEXT} LIKE ");
    if backend != Backend::Sqlite || lowered.chars().count() < 3 {
        // PostgreSQL's pg_trgm GIN index serves this LIKE; on SQLite, one or two characters
        // have no trigram and are matched by LIKE alone.
        return Box::new(
            sql::<Bool>(&like)
                .bind::<Text, _>(pattern)
                .sql(" ESCAPE '\\'"),
        );
    }
    let chosen = {
        let sample = SAMPLE
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let empty = HashMap::new();
        rarest_trigrams(
            &lowered,
            sample
                .as_ref()
                .map_or(&empty, |sample| &sample.contacts_holding),
        )
    };
    let fts_query = chosen
        .iter()
        .map(|trigram| format!("\"{}\"", trigram.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" AND ");
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
        .sql(&like)
        .bind::<Text, _>(pattern)
        .sql(" ESCAPE '\\'"),
    )
}

pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rarest_trigrams_are_chosen_and_unknown_ones_count_as_rarest() {
        let holding: HashMap<Trigram, u32> =
            [("ova", 300), ("nov", 500), ("vak", 200), ("123", 9000)]
                .into_iter()
                .map(|(trigram, count)| (trigrams_of(trigram)[0], count))
                .collect();
        assert_eq!(rarest_trigrams("novak123", &holding), ["ak1", "k12", "vak"]);
        assert_eq!(rarest_trigrams("nova", &holding), ["ova", "nov"]);
    }

    #[test]
    fn without_a_sample_the_first_trigrams_are_used() {
        assert_eq!(
            rarest_trigrams("abcabcd", &HashMap::new()),
            ["abc", "bca", "bcd"]
        );
    }
}

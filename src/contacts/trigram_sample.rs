//! Which of a search term's trigrams to look up: the rarest in a random sample of the
//! contacts, and of those only the ones that narrow the matches (see `search`).

use std::collections::HashMap;
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::db::schema::contacts;
use crate::db::DbConnection;

/// What a search looks in: name, email and phone (on PostgreSQL, `contacts_search.document` is
/// this, lowercased).
pub(super) const SEARCHED_COLUMNS: &str =
    "contacts.name || ' ' || coalesce(contacts.email, '') || ' ' || coalesce(contacts.phone, '')";

/// Trigrams of a term looked up at most.
const TRIGRAMS_LOOKED_UP: usize = 3;
const SAMPLE_BATCHES: usize = 10;
const SAMPLE_BATCH_SIZE: usize = 500;
const SAMPLE_MAX_AGE: Duration = Duration::from_secs(600);

pub(super) type Trigram = [char; 3];

/// Which sampled contacts (by their place in the sample, ascending) hold each trigram.
struct TrigramSample {
    taken_at: Instant,
    holders: Holders,
    contacts: usize,
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
                    .select(sql::<Text>(SEARCHED_COLUMNS))
                    .load::<String>(conn)?
                    .into_iter()
                    // Lowercased here, in every alphabet, as the search lowercases its term.
                    .map(|text| text.to_lowercase()),
            );
        }
    }
    Ok(TrigramSample {
        taken_at: Instant::now(),
        holders: holders_of(&texts),
        contacts: texts.len(),
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
    chosen_with_holders(lowered, holders, eligible).0
}

/// The chosen trigrams, and how many sampled contacts hold every one of them.
fn chosen_with_holders(
    lowered: &str,
    holders: &Holders,
    eligible: impl Fn(&Trigram) -> bool,
) -> (Vec<String>, usize) {
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
    let chosen = chosen
        .into_iter()
        .map(|trigram| trigram.iter().collect())
        .collect();
    (chosen, holding_all.len())
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

/// The trigrams to look up for a lowercased term, from the current sample.
pub(super) fn choose(lowered: &str, eligible: impl Fn(&Trigram) -> bool) -> Vec<String> {
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

/// Whether a lowercased term looks rare: there is a sample, the term has trigrams to look up,
/// and no sampled contact holds all of them (so, as far as 5,000 contacts can tell, fewer than
/// one contact in 5,000 matches). Only a guess, to choose which query to try first.
pub(super) fn looks_rare(lowered: &str, eligible: impl Fn(&Trigram) -> bool) -> bool {
    let sample = SAMPLE
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let Some(sample) = sample.as_ref() else {
        return false;
    };
    let (chosen, holding_all) = chosen_with_holders(lowered, &sample.holders, eligible);
    !chosen.is_empty() && holding_all == 0
}

/// Whether a lowercased term looks dense: at least one sampled contact in `one_in` holds all
/// its looked-up trigrams. Only a guess, to choose how to read a page of its matches.
pub(super) fn looks_dense(lowered: &str, one_in: usize) -> bool {
    let sample = SAMPLE
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let Some(sample) = sample.as_ref() else {
        return false;
    };
    let (chosen, holding_all) = chosen_with_holders(lowered, &sample.holders, |_| true);
    !chosen.is_empty() && sample.contacts > 0 && holding_all * one_in >= sample.contacts
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

//! A broad search's page in name order, read from the search index in its key order (SQLite):
//! keys are a bucket of the first three characters of the name as the list sorts it
//! (`contacts.name_sort`: folded, else lowercased) and the id (`contacts.search_key`),
//! so the first matches in key order plus the rest of their last bucket hold the first page.
//! Target: P3, a common last name at 1M contacts.

use std::ops::RangeInclusive;

use super::search::{self, ID_BITS, ID_MASK};
use crate::db::DbConnection;

type Db = <DbConnection as diesel::Connection>::Backend;
type ContactQuery = crate::db::schema::contacts::BoxedQuery<'static, Db>;

/// How many matches past the page's last are read to finish its bucket at most. A bucket
/// holding more (thousands of matches whose names start alike) is left to the name index walk.
const BUCKET_REST_LIMIT: i64 = 2_000;

/// The bucket of a sort name (`contacts.name_sort`), as the `search_key` column computes it:
/// each character's code point while it fits its field (11 bits for the first, 10 for the
/// second and third); the first one that does not fit gets its field's largest value and the
/// fields after it zero. Code points order UTF-8 text as SQLite's BINARY collation does, so a
/// greater name never has a lower bucket.
pub(super) fn bucket(name: &str) -> i64 {
    let mut code_points = name
        .chars()
        .map(|character| i64::from(u32::from(character)));
    let first = code_points.next().unwrap_or(0);
    if first >= 2047 {
        return 2047 << 20;
    }
    let second = code_points.next().unwrap_or(0);
    if second >= 1023 {
        return first << 20 | 1023 << 10;
    }
    let third = code_points.next().unwrap_or(0).min(1023);
    first << 20 | second << 10 | third
}

/// The least name a bucket holds: its characters up to the first empty field, the largest
/// value of a field standing for itself (every name of the bucket has that character or a
/// greater one there). Its own bucket is `bucket`.
pub(super) fn least_name_in(bucket: i64) -> String {
    [(bucket >> 20) & 2047, (bucket >> 10) & 1023, bucket & 1023]
        .into_iter()
        .take_while(|&code_point| code_point != 0)
        .filter_map(|code_point| char::from_u32(code_point as u32))
        .collect()
}

fn keys_of_bucket(bucket: i64) -> RangeInclusive<i64> {
    bucket << ID_BITS..=(bucket << ID_BITS | ID_MASK)
}

/// What the search index tells of the next page of a broad search in name order.
pub(super) enum NamePage {
    /// The ids of matching contacts that hold the page.
    Held(Vec<i64>),
    /// A bucket is too full of matches to finish: the page is found by walking the name index,
    /// and no match lies before `from_name` (ascending walks), where that walk may start.
    Walk { from_name: Option<String> },
}

/// The ids of matching contacts that hold the next `wanted` rows of the list in name order,
/// ascending or (`downward`) descending, past the row named `past_name`. `view` builds the
/// view's query with the rows before the cursor already left out. `None` where the index
/// cannot serve the term (no trigram in it).
pub(super) fn matches_holding_page(
    conn: &mut DbConnection,
    view: impl Fn() -> ContactQuery,
    term: &str,
    past_name: Option<&str>,
    downward: bool,
    wanted: i64,
) -> diesel::QueryResult<Option<NamePage>> {
    let keys = match (past_name.map(bucket), downward) {
        (None, _) => 0..=i64::MAX,
        (Some(bucket), false) => *keys_of_bucket(bucket).start()..=i64::MAX,
        (Some(bucket), true) => 0..=*keys_of_bucket(bucket).end(),
    };
    let Some(first) = search::keys_of_matches(conn, view(), term, keys, downward, wanted)? else {
        return Ok(None);
    };
    let last = match first.last() {
        Some(&last) if first.len() as i64 == wanted => last,
        _ => return Ok(Some(NamePage::Held(ids_of(first)))),
    };
    // A match later in the bucket may sort before `last` by name.
    let bucket_keys = keys_of_bucket(last >> ID_BITS);
    let rest_of_bucket = if downward {
        *bucket_keys.start()..=last - 1
    } else {
        last + 1..=*bucket_keys.end()
    };
    let rest = search::keys_of_matches(
        conn,
        view(),
        term,
        rest_of_bucket,
        downward,
        BUCKET_REST_LIMIT + 1,
    )?
    .unwrap_or_default();
    if rest.len() as i64 > BUCKET_REST_LIMIT {
        // Every match lies in the first match's bucket or after it: a first name shared by
        // Walk from its bucket, not from the first name: a common last name is deep in the order.
        let from_name = (!downward).then(|| least_name_in(first[0] >> ID_BITS));
        return Ok(Some(NamePage::Walk { from_name }));
    }
    Ok(Some(NamePage::Held(ids_of(
        first.into_iter().chain(rest).collect(),
    ))))
}

fn ids_of(keys: Vec<i64>) -> Vec<i64> {
    keys.into_iter().map(|key| key & ID_MASK).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_never_run_against_name_order() {
        let mut names = vec![
            "",
            "A",
            "Ab",
            "Abc",
            "Abd",
            "Abcz",
            "B",
            "Zoë",
            "Zoe",
            "Zo\u{3ff}",
            "Zo\u{400}",
            "Zo\u{ffff}a",
            "Z\u{3ff}",
            "Z\u{400}a",
            "Z\u{400}b",
            "\u{7fe}zz",
            "\u{7ff}",
            "\u{800}a",
            "李小龙",
            "李",
            "王芳",
            "Ωmega",
            "Ω",
            "😀 Smile",
            "ÿ",
            "Ā",
        ];
        names.sort();
        for pair in names.windows(2) {
            assert!(
                bucket(pair[0]) <= bucket(pair[1]),
                "{:?} sorts before {:?} but has a higher bucket",
                pair[0],
                pair[1]
            );
        }
        assert!(
            bucket("Abc") < bucket("Abd"),
            "three characters tell buckets apart"
        );
        assert_eq!(bucket("Abcd"), bucket("Abcz"), "the fourth does not");
        assert_eq!(
            bucket("李小龙"),
            bucket("王芳"),
            "past the first field's range, one bucket"
        );
        for name in &names {
            let least = least_name_in(bucket(name));
            assert!(
                least.as_str() <= *name,
                "{name:?} sorts before {least:?}, its bucket's least"
            );
            assert_eq!(
                bucket(&least),
                bucket(name),
                "{least:?} is in {name:?}'s bucket"
            );
        }
    }
}

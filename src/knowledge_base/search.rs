//! The knowledge base searched by words, best match first, each with a snippet of its body
//! around the words found: SQLite's FTS5 (stemmed, case and accents folded) or PostgreSQL's
//! English full-text search, titles weighing more than bodies.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};

use crate::db::DbConnection;

/// Where a snippet's found words start and end; no article text holds these control
/// characters (forms refuse them).
const FOUND_START: char = '\u{1}';
const FOUND_END: char = '\u{2}';

/// Words too common to narrow a search ("how to reset my password").
const COMMON_WORDS: [&str; 24] = [
    "a", "an", "and", "are", "at", "be", "can", "do", "for", "how", "i", "in", "is", "it", "my",
    "of", "on", "or", "the", "to", "what", "with", "you", "your",
];

/// An article found, with a piece of its body: parts in order, `true` for the words found.
#[derive(Debug, Clone)]
pub struct FoundArticle {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub category: String,
    pub published: bool,
    pub snippet: Vec<(String, bool)>,
}

#[derive(QueryableByName)]
struct Hit {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Text)]
    slug: String,
    #[diesel(sql_type = Text)]
    category: String,
    #[diesel(sql_type = Bool)]
    published: bool,
    #[diesel(sql_type = Text)]
    snippet: String,
}

/// The words of what was typed that narrow a search.
fn words(typed: &str) -> Vec<String> {
    typed
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|word| !word.is_empty() && !COMMON_WORDS.contains(&word.as_str()))
        .take(10)
        .collect()
}

/// Up to `limit` articles holding every word of `typed`, best first; drafts too when
/// `with_drafts` (the agents' list).
pub fn search(
    conn: &mut DbConnection,
    typed: &str,
    with_drafts: bool,
    limit: i64,
) -> QueryResult<Vec<FoundArticle>> {
    let words = words(typed);
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let hits: Vec<Hit> = match conn {
        DbConnection::Sqlite(sqlite) => {
            let query: Vec<String> = words.iter().map(|word| format!("\"{word}\"")).collect();
            diesel::sql_query(
                "SELECT a.id AS id, a.title AS title, a.slug AS slug, a.category AS category, \
                 a.published AS published, \
                 snippet(kb_articles_search, 1, char(1), char(2), '…', 16) AS snippet \
                 FROM kb_articles_search JOIN kb_articles a ON a.id = kb_articles_search.rowid \
                 WHERE kb_articles_search MATCH ? AND (a.published OR ?) \
                 ORDER BY bm25(kb_articles_search, 10.0, 1.0), a.title LIMIT ?",
            )
            .bind::<Text, _>(query.join(" "))
            .bind::<Bool, _>(with_drafts)
            .bind::<BigInt, _>(limit)
            .load(sqlite)?
        }
        DbConnection::Postgresql(pg) => diesel::sql_query(
            "SELECT id, title, slug, category, published, \
             ts_headline('english', body, q, $4) AS snippet \
             FROM kb_articles, plainto_tsquery('english', $1) AS q \
             WHERE search_words @@ q AND (published OR $2) \
             ORDER BY ts_rank(search_words, q) DESC, title LIMIT $3",
        )
        .bind::<Text, _>(words.join(" "))
        .bind::<Bool, _>(with_drafts)
        .bind::<BigInt, _>(limit)
        .bind::<Text, _>(format!(
            "StartSel={FOUND_START}, StopSel={FOUND_END}, MaxWords=28, MinWords=12, \
             MaxFragments=1, FragmentDelimiter=…"
        ))
        .load(pg)?,
    };
    Ok(hits
        .into_iter()
        .map(|hit| FoundArticle {
            snippet: snippet_parts(&hit.snippet),
            id: hit.id,
            title: hit.title,
            slug: hit.slug,
            category: hit.category,
            published: hit.published,
        })
        .collect())
}

/// The snippet as parts to show, the found words marked, without Markdown's symbols.
fn snippet_parts(snippet: &str) -> Vec<(String, bool)> {
    let plain: String = snippet
        .chars()
        .filter(|c| !matches!(c, '*' | '#' | '`'))
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let mut parts = Vec::new();
    for (n, piece) in plain.split([FOUND_START, FOUND_END]).enumerate() {
        if !piece.is_empty() {
            parts.push((piece.to_owned(), n % 2 == 1));
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_words_do_not_narrow_a_search() {
        assert_eq!(words("How do I reset my password?"), ["reset", "password"]);
        assert!(words("  -- ").is_empty());
    }

    #[test]
    fn snippets_mark_the_words_found_and_drop_markdown() {
        assert_eq!(
            snippet_parts("Open **Forgot \u{1}password\u{2}?**\non the page"),
            [
                ("Open Forgot ".to_owned(), false),
                ("password".to_owned(), true),
                ("? on the page".to_owned(), false)
            ]
        );
    }
}

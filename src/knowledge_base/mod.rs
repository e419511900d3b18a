//! Knowledge base articles: drafts agents write and the Help Center publishes.

mod changes;
pub mod draft;
pub mod search;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::kb_articles;
use crate::db::DbConnection;

pub use changes::{delete, save, set_published, Saved};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = kb_articles)]
pub struct Article {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub category: String,
    pub body: String,
    pub published: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Article {
    pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<Article>> {
        kb_articles::table
            .order((kb_articles::category.asc(), kb_articles::title.asc()))
            .select(Article::as_select())
            .load(conn)
    }

    pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Article>> {
        kb_articles::table
            .find(id)
            .select(Article::as_select())
            .first(conn)
            .optional()
    }

    pub fn find_by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<Article>> {
        kb_articles::table
            .filter(kb_articles::slug.eq(slug))
            .select(Article::as_select())
            .first(conn)
            .optional()
    }

    /// Every category in use, for suggestions when writing an article.
    pub fn categories(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
        kb_articles::table
            .select(kb_articles::category)
            .distinct()
            .order(kb_articles::category.asc())
            .load(conn)
    }

    /// Sets `published`; `false` when there is no such article.
    pub fn set_published(
        conn: &mut DbConnection,
        id: i64,
        published: bool,
        at: NaiveDateTime,
    ) -> QueryResult<bool> {
        diesel::update(kb_articles::table.find(id))
            .set((
                kb_articles::published.eq(published),
                kb_articles::updated_at.eq(at),
            ))
            .execute(conn)
            .map(|rows| rows > 0)
    }

    /// `false` when there is no such article.
    pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<bool> {
        diesel::delete(kb_articles::table.find(id))
            .execute(conn)
            .map(|rows| rows > 0)
    }
}

/// An article without its body, for lists: bodies run to hundreds of KiB.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = kb_articles)]
pub struct ArticleSummary {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub category: String,
    pub published: bool,
    pub updated_at: NaiveDateTime,
}

impl ArticleSummary {
    pub fn by_category(conn: &mut DbConnection) -> QueryResult<Vec<ArticleSummary>> {
        kb_articles::table
            .order((
                kb_articles::category.asc(),
                kb_articles::title.asc(),
                kb_articles::id.asc(),
            ))
            .select(ArticleSummary::as_select())
            .load(conn)
    }
}

/// What an edit replaces; `created_at` stays.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = kb_articles)]
pub struct ArticleChanges<'a> {
    pub title: &'a str,
    pub slug: &'a str,
    pub category: &'a str,
    pub body: &'a str,
    pub published: bool,
    pub updated_at: NaiveDateTime,
}

impl ArticleChanges<'_> {
    /// `false` when there is no such article.
    pub fn apply(&self, conn: &mut DbConnection, id: i64) -> QueryResult<bool> {
        diesel::update(kb_articles::table.find(id))
            .set(self)
            .execute(conn)
            .map(|rows| rows > 0)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = kb_articles)]
pub struct NewArticle<'a> {
    pub title: &'a str,
    pub slug: &'a str,
    pub category: &'a str,
    pub body: &'a str,
    pub published: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl NewArticle<'_> {
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<usize> {
        diesel::insert_into(kb_articles::table)
            .values(self)
            .execute(conn)
    }

    pub fn insert_returning_id(&self, conn: &mut DbConnection) -> QueryResult<i64> {
        diesel::insert_into(kb_articles::table)
            .values(self)
            .returning(kb_articles::id)
            .get_result(conn)
    }
}

/// What the Help Center shows: published articles only, to anyone.
impl ArticleSummary {
    pub fn published_by_category(conn: &mut DbConnection) -> QueryResult<Vec<ArticleSummary>> {
        kb_articles::table
            .filter(kb_articles::published.eq(true))
            .order((
                kb_articles::category.asc(),
                kb_articles::title.asc(),
                kb_articles::id.asc(),
            ))
            .select(ArticleSummary::as_select())
            .load(conn)
    }
}

impl Article {
    /// The article at this address if it is published; a draft is not there for readers.
    pub fn find_published_by_slug(
        conn: &mut DbConnection,
        slug: &str,
    ) -> QueryResult<Option<Article>> {
        kb_articles::table
            .filter(kb_articles::slug.eq(slug))
            .filter(kb_articles::published.eq(true))
            .select(Article::as_select())
            .first(conn)
            .optional()
    }
}

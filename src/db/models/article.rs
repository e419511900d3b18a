use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::kb_articles;
use crate::db::DbConnection;

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
}

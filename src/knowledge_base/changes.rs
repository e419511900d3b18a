//! Writing articles: saving a draft, publishing, unpublishing and deleting, each in one
//! transaction with its audit event.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::QueryResult;

use super::draft::ArticleDraft;
use super::{Article, ArticleChanges, NewArticle};
use crate::audit::{self, Actor};
use crate::db::{now, write_transaction, DbConnection};

pub enum Saved {
    Done(i64),
    /// Another article has the slug: its id, when it could be read.
    SlugTaken(Option<i64>),
    /// The article to update is gone.
    NotFound,
}

enum WriteError {
    Saved(Saved),
    Database(DieselError),
}

impl From<DieselError> for WriteError {
    fn from(error: DieselError) -> Self {
        match error {
            // Another save took the slug after the lookup: the unique index says so.
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                WriteError::Saved(Saved::SlugTaken(None))
            }
            error => WriteError::Database(error),
        }
    }
}

/// Writes the draft as a new article or over article `id`.
pub fn save(
    conn: &mut DbConnection,
    actor: Actor,
    id: Option<i64>,
    draft: &ArticleDraft,
) -> QueryResult<Saved> {
    match write(conn, actor, id, draft) {
        Ok(id) => Ok(Saved::Done(id)),
        // The transaction is over, so the article that won the race can be read.
        Err(WriteError::Saved(Saved::SlugTaken(None))) => Ok(Saved::SlugTaken(
            Article::find_by_slug(conn, &draft.slug)?.map(|article| article.id),
        )),
        Err(WriteError::Saved(refused)) => Ok(refused),
        Err(WriteError::Database(error)) => Err(error),
    }
}

fn write(
    conn: &mut DbConnection,
    actor: Actor,
    article_id: Option<i64>,
    draft: &ArticleDraft,
) -> Result<i64, WriteError> {
    write_transaction(conn, |conn| {
        if let Some(existing) = Article::find_by_slug(conn, &draft.slug)? {
            if Some(existing.id) != article_id {
                return Err(WriteError::Saved(Saved::SlugTaken(Some(existing.id))));
            }
        }
        let at = now();
        let (id, action) = match article_id {
            Some(id) => {
                let changed = ArticleChanges {
                    title: &draft.title,
                    slug: &draft.slug,
                    category: &draft.category,
                    body: &draft.body,
                    published: draft.published,
                    updated_at: at,
                }
                .apply(conn, id)?;
                if !changed {
                    return Err(WriteError::Saved(Saved::NotFound));
                }
                (id, "kb_article.updated")
            }
            None => {
                let id = NewArticle {
                    title: &draft.title,
                    slug: &draft.slug,
                    category: &draft.category,
                    body: &draft.body,
                    published: draft.published,
                    created_at: at,
                    updated_at: at,
                }
                .insert_returning_id(conn)?;
                (id, "kb_article.created")
            }
        };
        audit::record(conn, actor, action, ("kb_article", Some(id)), &draft.title)?;
        Ok(id)
    })
}

/// Publishes or unpublishes article `id`; its title, or `None` when there is no such article.
pub fn set_published(
    conn: &mut DbConnection,
    actor: Actor,
    id: i64,
    published: bool,
) -> QueryResult<Option<String>> {
    write_transaction(conn, |conn| {
        let Some(article) = Article::find(conn, id)? else {
            return Ok(None);
        };
        if article.published != published {
            Article::set_published(conn, id, published, now())?;
            let action = if published {
                "kb_article.published"
            } else {
                "kb_article.unpublished"
            };
            audit::record(
                conn,
                actor,
                action,
                ("kb_article", Some(id)),
                &article.title,
            )?;
        }
        Ok(Some(article.title))
    })
}

/// Deletes article `id`; its title, or `None` when there is no such article.
pub fn delete(conn: &mut DbConnection, actor: Actor, id: i64) -> QueryResult<Option<String>> {
    write_transaction(conn, |conn| {
        let Some(article) = Article::find(conn, id)? else {
            return Ok(None);
        };
        Article::delete(conn, id)?;
        audit::record(
            conn,
            actor,
            "kb_article.deleted",
            ("kb_article", Some(id)),
            &article.title,
        )?;
        Ok(Some(article.title))
    })
}

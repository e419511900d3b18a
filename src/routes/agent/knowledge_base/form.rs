use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::draft::{
    ArticleDraft, ArticleFieldErrors, ArticleForm, CATEGORY_MAX_CHARS, SLUG_MAX_CHARS,
    TITLE_MAX_CHARS,
};
use crate::audit::{self, Actor};
use crate::auth::guard::SignedInAgent;
use crate::auth::session::{set_flash, FlashKind};
use crate::db::{now, write_transaction, DbConnection};
use crate::error::AppError;
use crate::knowledge_base::{Article, ArticleChanges, NewArticle};
use crate::routes::chrome::Chrome;
use crate::routes::page_with_status;
use crate::routes::{page, redirect_see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "agent/knowledge_base/form.html")]
struct ArticleFormPage {
    chrome: Chrome,
    article_id: Option<i64>,
    form: ArticleForm,
    errors: ArticleFieldErrors,
    /// Another article already has the slug asked for.
    slug_taken_by: Option<i64>,
    categories: Vec<String>,
    title_max: usize,
    slug_max: usize,
    category_max: usize,
}

impl ArticleFormPage {
    fn new(agent: &SignedInAgent, article_id: Option<i64>, form: ArticleForm) -> Self {
        ArticleFormPage {
            chrome: agent.chrome("knowledge-base"),
            article_id,
            form,
            errors: ArticleFieldErrors::default(),
            slug_taken_by: None,
            categories: Vec::new(),
            title_max: TITLE_MAX_CHARS,
            slug_max: SLUG_MAX_CHARS,
            category_max: CATEGORY_MAX_CHARS,
        }
    }

    fn heading(&self) -> &'static str {
        if self.article_id.is_some() {
            "Edit article"
        } else {
            "New article"
        }
    }

    fn action(&self) -> String {
        match self.article_id {
            Some(id) => format!("/knowledge-base/{id}"),
            None => "/knowledge-base".to_owned(),
        }
    }
}

pub async fn new_form(
    agent: SignedInAgent,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let categories = state.db(|conn| Ok(Article::categories(conn)?)).await?;
    let mut page_data = ArticleFormPage::new(&agent, None, ArticleForm::default());
    page_data.categories = categories;
    page(&page_data)
}

pub async fn edit_form(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let (article, categories) = state
        .db(move |conn| {
            let article = Article::find(conn, id)?.ok_or(AppError::NotFound)?;
            Ok((article, Article::categories(conn)?))
        })
        .await?;
    let form = ArticleForm {
        published: article.published.then(|| "1".to_owned()),
        title: article.title,
        slug: article.slug,
        category: article.category,
        body: article.body,
    };
    let mut page_data = ArticleFormPage::new(&agent, Some(id), form);
    page_data.categories = categories;
    page(&page_data)
}

pub async fn create(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    form: web::Form<ArticleForm>,
) -> Result<HttpResponse, AppError> {
    save(agent, state, None, form.into_inner()).await
}

pub async fn update(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<ArticleForm>,
) -> Result<HttpResponse, AppError> {
    save(agent, state, Some(path.into_inner()), form.into_inner()).await
}

#[derive(Debug)]
enum SaveError {
    /// The slug belongs to another article (`None`: found by the unique index, not yet looked up).
    SlugTaken(Option<i64>),
    NotFound,
    Database(DieselError),
}

impl From<DieselError> for SaveError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                SaveError::SlugTaken(None)
            }
            error => SaveError::Database(error),
        }
    }
}

/// Writes the draft as a new article or over an existing one, with its audit event.
fn write_article(
    conn: &mut DbConnection,
    article_id: Option<i64>,
    draft: &ArticleDraft,
    actor: Actor,
) -> Result<i64, SaveError> {
    write_transaction(conn, |conn| {
        if let Some(existing) = Article::find_by_slug(conn, &draft.slug)? {
            if Some(existing.id) != article_id {
                return Err(SaveError::SlugTaken(Some(existing.id)));
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
                    return Err(SaveError::NotFound);
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

enum Outcome {
    Saved(i64),
    Invalid(ArticleFieldErrors),
    SlugTaken(Option<i64>),
}

async fn save(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    article_id: Option<i64>,
    form: ArticleForm,
) -> Result<HttpResponse, AppError> {
    let draft = ArticleDraft::parse(&form);
    let actor = Actor::Agent(agent.agent.id);
    let (outcome, categories) = state
        .db(move |conn| {
            let outcome = match draft {
                Err(errors) => Outcome::Invalid(errors),
                Ok(draft) => match write_article(conn, article_id, &draft, actor) {
                    Ok(id) => return Ok((Outcome::Saved(id), Vec::new())),
                    Err(SaveError::SlugTaken(Some(existing))) => Outcome::SlugTaken(Some(existing)),
                    // The transaction is over, so the article that won the race can be read.
                    Err(SaveError::SlugTaken(None)) => Outcome::SlugTaken(
                        Article::find_by_slug(conn, &draft.slug)?.map(|article| article.id),
                    ),
                    Err(SaveError::NotFound) => return Err(AppError::NotFound),
                    Err(SaveError::Database(error)) => return Err(error.into()),
                },
            };
            Ok((outcome, Article::categories(conn)?))
        })
        .await?;
    let mut page_data = ArticleFormPage::new(&agent, article_id, form);
    page_data.categories = categories;
    match outcome {
        Outcome::Saved(id) => {
            let message = if article_id.is_some() {
                "Article saved."
            } else {
                "Article created."
            };
            set_flash(agent.session(), FlashKind::Success, message);
            return Ok(redirect_see_other(&format!("/knowledge-base/{id}")));
        }
        Outcome::Invalid(errors) => page_data.errors = errors,
        Outcome::SlugTaken(existing) => {
            page_data.errors.slug = Some(
                "Another article already has this address: change the slug (or the title it is made from).".to_owned(),
            );
            page_data.slug_taken_by = existing;
        }
    }
    page_with_status(&page_data, StatusCode::UNPROCESSABLE_ENTITY)
}

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use crate::audit::Actor;
use crate::auth::guard::SignedInAgent;
use crate::auth::session::{set_flash, FlashKind};
use crate::error::AppError;
use crate::knowledge_base::draft::{
    ArticleDraft, ArticleFieldErrors, ArticleForm, CATEGORY_MAX_CHARS, SLUG_MAX_CHARS,
    TITLE_MAX_CHARS,
};
use crate::knowledge_base::{self, Article, Saved};
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
                Ok(draft) => match knowledge_base::save(conn, actor, article_id, &draft)? {
                    Saved::Done(id) => return Ok((Outcome::Saved(id), Vec::new())),
                    Saved::SlugTaken(existing) => Outcome::SlugTaken(existing),
                    Saved::NotFound => return Err(AppError::NotFound),
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

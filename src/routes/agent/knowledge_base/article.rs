use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::audit::Actor;
use crate::auth::guard::SignedInAgent;
use crate::auth::session::{set_flash, FlashKind};
use crate::error::AppError;
use crate::knowledge_base::{self, Article};
use crate::markdown;
use crate::routes::chrome::Chrome;
use crate::routes::{page, redirect_see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "agent/knowledge_base/preview.html")]
struct PreviewPage {
    chrome: Chrome,
    article: Article,
    /// Sanitized by `markdown::render`, so the template may print it as HTML.
    body_html: String,
    confirm_delete: bool,
}

#[derive(Deserialize)]
pub struct PreviewQuery {
    confirm: Option<String>,
}

/// The article as customers will read it, with the agent's actions around it.
pub async fn preview(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<PreviewQuery>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let article = state
        .db(move |conn| Article::find(conn, id)?.ok_or(AppError::NotFound))
        .await?;
    let body_html = markdown::render(&article.body);
    page(&PreviewPage {
        chrome: agent.chrome("knowledge-base"),
        article,
        body_html,
        confirm_delete: query.confirm.as_deref() == Some("delete"),
    })
}

async fn set_published(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    id: i64,
    published: bool,
) -> Result<HttpResponse, AppError> {
    let actor = Actor::Agent(agent.agent.id);
    let title = state
        .db(move |conn| {
            knowledge_base::set_published(conn, actor, id, published)?.ok_or(AppError::NotFound)
        })
        .await?;
    let message = if published {
        format!("“{title}” is published: customers can read it in the Help Center.")
    } else {
        format!("“{title}” is unpublished: customers no longer see it.")
    };
    set_flash(agent.session(), FlashKind::Success, message);
    Ok(redirect_see_other(&format!("/knowledge-base/{id}")))
}

pub async fn publish(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    set_published(agent, state, path.into_inner(), true).await
}

pub async fn unpublish(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    set_published(agent, state, path.into_inner(), false).await
}

pub async fn delete(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let actor = Actor::Agent(agent.agent.id);
    let title = state
        .db(move |conn| knowledge_base::delete(conn, actor, id)?.ok_or(AppError::NotFound))
        .await?;
    set_flash(
        agent.session(),
        FlashKind::Success,
        format!("Article “{title}” deleted."),
    );
    Ok(redirect_see_other("/knowledge-base"))
}

//! Knowledge base: agents write Markdown articles by category, preview them as customers will
//! see them, publish, unpublish and delete them.

mod article;
mod form;

use actix_web::{web, HttpResponse};
use askama::Template;

use crate::auth::guard::SignedInAgent;
use crate::error::AppError;
use crate::knowledge_base::ArticleSummary;
use crate::routes::chrome::Chrome;
use crate::routes::page;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/knowledge-base", web::get().to(list))
        .route("/knowledge-base", web::post().to(form::create))
        .route("/knowledge-base/new", web::get().to(form::new_form))
        .route("/knowledge-base/{id}", web::get().to(article::preview))
        .route("/knowledge-base/{id}", web::post().to(form::update))
        .route("/knowledge-base/{id}/edit", web::get().to(form::edit_form))
        .route(
            "/knowledge-base/{id}/publish",
            web::post().to(article::publish),
        )
        .route(
            "/knowledge-base/{id}/unpublish",
            web::post().to(article::unpublish),
        )
        .route(
            "/knowledge-base/{id}/delete",
            web::post().to(article::delete),
        );
}

pub struct CategoryGroup {
    pub name: String,
    pub articles: Vec<ArticleSummary>,
}

#[derive(Template)]
#[template(path = "agent/knowledge_base/list.html")]
struct KnowledgeBasePage {
    chrome: Chrome,
    categories: Vec<CategoryGroup>,
}

/// The rows come sorted by category, so each category's articles are one run.
fn group_by_category(articles: Vec<ArticleSummary>) -> Vec<CategoryGroup> {
    let mut groups: Vec<CategoryGroup> = Vec::new();
    for article in articles {
        match groups.last_mut() {
            Some(group) if group.name == article.category => group.articles.push(article),
            _ => groups.push(CategoryGroup {
                name: article.category.clone(),
                articles: vec![article],
            }),
        }
    }
    groups
}

pub async fn list(
    agent: SignedInAgent,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let articles = state
        .db(|conn| Ok(ArticleSummary::by_category(conn)?))
        .await?;
    page(&KnowledgeBasePage {
        chrome: agent.chrome("knowledge-base"),
        categories: group_by_category(articles),
    })
}

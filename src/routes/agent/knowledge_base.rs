//! Knowledge base: agents write Markdown articles by category, preview them as customers will
//! see them, publish, unpublish and delete them.

mod article;
mod form;

use actix_web::{web, HttpResponse};
use askama::Template;

use crate::auth::guard::SignedInAgent;
use crate::error::AppError;
use crate::knowledge_base::search::{self, FoundArticle};
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
    query: String,
    /// Search results, drafts included, when a search was made.
    results: Option<Vec<FoundArticle>>,
}

/// The most articles a search lists.
const SEARCH_RESULTS: i64 = 50;

#[derive(serde::Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
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
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, AppError> {
    let typed: String = query
        .q
        .as_deref()
        .unwrap_or("")
        .trim()
        .chars()
        .take(200)
        .collect();
    let wanted = typed.clone();
    let (articles, results) = state
        .db(move |conn| {
            if wanted.is_empty() {
                Ok((ArticleSummary::by_category(conn)?, None))
            } else {
                let found = search::search(conn, &wanted, true, SEARCH_RESULTS)?;
                Ok((Vec::new(), Some(found)))
            }
        })
        .await?;
    page(&KnowledgeBasePage {
        chrome: agent.chrome("knowledge-base"),
        categories: group_by_category(articles),
        query: typed,
        results,
    })
}

//! The public knowledge base: published articles by category, a search, and each article.
//! Anyone may read it, signed in or not — most answers should not need an account; a signed-in
//! customer reads it inside their own layout. Drafts are never shown.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::PortalChrome;
use crate::auth::guard::SignedInCustomer;
use crate::error::AppError;
use crate::knowledge_base::search::{self, FoundArticle};
use crate::knowledge_base::{Article, ArticleSummary};
use crate::markdown;
use crate::routes::page;
use crate::state::AppState;

const SEARCH_MAX_CHARS: usize = 200;
const SEARCH_RESULTS: i64 = 50;

pub struct Category {
    pub name: String,
    pub articles: Vec<ArticleSummary>,
}

#[derive(Template)]
#[template(path = "portal/knowledge_base.html")]
struct IndexPage {
    chrome: PortalChrome,
    query: String,
    categories: Vec<Category>,
    /// Search results, when a search was made.
    results: Option<Vec<FoundArticle>>,
    results_limit: i64,
}

#[derive(Template)]
#[template(path = "portal/article.html")]
struct ArticlePage {
    chrome: PortalChrome,
    article: Article,
    /// Sanitized by `markdown::render`, so the template may print it as HTML.
    body_html: String,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

/// Articles come sorted by category; consecutive ones share a heading.
fn group_by_category(articles: Vec<ArticleSummary>) -> Vec<Category> {
    let mut categories: Vec<Category> = Vec::new();
    for article in articles {
        match categories.last_mut() {
            Some(category) if category.name == article.category => category.articles.push(article),
            _ => categories.push(Category {
                name: article.category.clone(),
                articles: vec![article],
            }),
        }
    }
    categories
}

pub async fn index(
    customer: Option<SignedInCustomer>,
    session: Session,
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, AppError> {
    let typed: String = query
        .q
        .as_deref()
        .unwrap_or("")
        .trim()
        .chars()
        .take(SEARCH_MAX_CHARS)
        .collect();
    let search = typed.clone();
    let (categories, results) = state
        .db(move |conn| {
            if search.is_empty() {
                let published = ArticleSummary::published_by_category(conn)?;
                Ok((group_by_category(published), None))
            } else {
                let found = search::search(conn, &search, false, SEARCH_RESULTS)?;
                Ok((Vec::new(), Some(found)))
            }
        })
        .await?;
    page(&IndexPage {
        chrome: PortalChrome::for_anyone(customer.as_ref(), &session, "knowledge-base"),
        query: typed,
        categories,
        results,
        results_limit: SEARCH_RESULTS,
    })
}

pub async fn article(
    customer: Option<SignedInCustomer>,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = path.into_inner();
    let article = state
        .db(move |conn| Article::find_published_by_slug(conn, &slug)?.ok_or(AppError::NotFound))
        .await?;
    let body_html = markdown::render(&article.body);
    page(&ArticlePage {
        chrome: PortalChrome::for_anyone(customer.as_ref(), &session, "knowledge-base"),
        article,
        body_html,
    })
}

use actix_web::{web, HttpResponse};
use askama::Template;

use crate::auth::guard::SignedInAgent;
use crate::db::models::article::Article;
use crate::error::AppError;
use crate::routes::chrome::Chrome;
use crate::routes::page;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "agent/knowledge_base/list.html")]
struct KnowledgeBasePage {
    chrome: Chrome,
    articles: Vec<Article>,
}

pub async fn list(
    agent: SignedInAgent,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let articles = state.db(|conn| Ok(Article::list(conn)?)).await?;
    page(&KnowledgeBasePage {
        chrome: agent.chrome("knowledge-base"),
        articles,
    })
}

use actix_web::{web, HttpResponse};
use askama::Template;

use crate::auth::guard::SignedInAgent;
use crate::db::models::account::{Account, AccountSummary};
use crate::error::AppError;
use crate::routes::chrome::Chrome;
use crate::routes::page;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "agent/accounts/list.html")]
struct AccountsPage {
    chrome: Chrome,
    accounts: Vec<AccountSummary>,
}

pub async fn list(
    agent: SignedInAgent,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let accounts = state
        .db(|conn| Ok(Account::list_with_contact_counts(conn)?))
        .await?;
    page(&AccountsPage {
        chrome: agent.chrome("customers"),
        accounts,
    })
}

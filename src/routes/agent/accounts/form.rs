//! Adding and renaming an account: a name no other account has, ignoring case.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::accounts::{self, Account, Saved};
use crate::audit::Actor;
use crate::auth::guard::SignedInAgent;
use crate::auth::session::{set_flash, FlashKind};
use crate::domain::one_line;
use crate::error::AppError;
use crate::routes::chrome::Chrome;
use crate::routes::page_with_status;
use crate::routes::redirect_see_other;
use crate::state::AppState;

const NAME_MAX_CHARS: usize = 200;

#[derive(Debug, Default, Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    name: String,
}

/// The name to store, or what is wrong with it.
fn parse_name(raw: &str) -> Result<String, String> {
    let name = one_line(raw);
    if raw.chars().any(char::is_control) {
        Err("The name cannot hold line breaks or other control characters.".to_owned())
    } else if name.is_empty() {
        Err("Enter the account’s name.".to_owned())
    } else if name.chars().count() > NAME_MAX_CHARS {
        Err(format!("Keep the name to {NAME_MAX_CHARS} characters."))
    } else {
        Ok(name)
    }
}

#[derive(Template)]
#[template(path = "agent/accounts/form.html")]
struct AccountFormPage {
    chrome: Chrome,
    account_id: Option<i64>,
    form: AccountForm,
    error: Option<String>,
    /// The account that already has the name asked for.
    existing: Option<(i64, String)>,
}

impl AccountFormPage {
    fn title(&self) -> &'static str {
        if self.account_id.is_some() {
            "Edit account"
        } else {
            "Add account"
        }
    }

    fn action(&self) -> String {
        match self.account_id {
            Some(id) => format!("/accounts/{id}"),
            None => "/accounts".to_owned(),
        }
    }

    fn render_with(&self, status: StatusCode) -> Result<HttpResponse, AppError> {
        page_with_status(&self, status)
    }
}

pub async fn new_form(agent: SignedInAgent) -> Result<HttpResponse, AppError> {
    AccountFormPage {
        chrome: agent.chrome("customers"),
        account_id: None,
        form: AccountForm::default(),
        error: None,
        existing: None,
    }
    .render_with(StatusCode::OK)
}

pub async fn edit_form(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let account = state
        .db(move |conn| Account::find(conn, id)?.ok_or(AppError::NotFound))
        .await?;
    AccountFormPage {
        chrome: agent.chrome("customers"),
        account_id: Some(id),
        form: AccountForm { name: account.name },
        error: None,
        existing: None,
    }
    .render_with(StatusCode::OK)
}

pub async fn create(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    form: web::Form<AccountForm>,
) -> Result<HttpResponse, AppError> {
    save(agent, state, None, form.into_inner()).await
}

pub async fn update(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<AccountForm>,
) -> Result<HttpResponse, AppError> {
    save(agent, state, Some(path.into_inner()), form.into_inner()).await
}

async fn save(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    account_id: Option<i64>,
    form: AccountForm,
) -> Result<HttpResponse, AppError> {
    let name = match parse_name(&form.name) {
        Ok(name) => name,
        Err(message) => {
            return AccountFormPage {
                chrome: agent.chrome("customers"),
                account_id,
                form,
                error: Some(message),
                existing: None,
            }
            .render_with(StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let actor = Actor::Agent(agent.agent.id);
    let outcome = state
        .db(move |conn| accounts::save(conn, actor, account_id, &name)?.ok_or(AppError::NotFound))
        .await?;
    match outcome {
        Saved::Done(id) => {
            let message = if account_id.is_some() {
                "Account saved."
            } else {
                "Account added."
            };
            set_flash(agent.session(), FlashKind::Success, message);
            Ok(redirect_see_other(&format!("/accounts/{id}")))
        }
        Saved::Duplicate(existing_id, existing_name) => AccountFormPage {
            chrome: agent.chrome("customers"),
            account_id,
            form,
            error: None,
            existing: Some((existing_id, existing_name)),
        }
        .render_with(StatusCode::CONFLICT),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_required_and_bounded() {
        assert_eq!(parse_name("  Acme Ltd "), Ok("Acme Ltd".to_owned()));
        assert!(parse_name("   ").is_err());
        assert!(parse_name(&"a".repeat(NAME_MAX_CHARS + 1)).is_err());
        assert!(parse_name(&"é".repeat(NAME_MAX_CHARS)).is_ok());
        assert!(parse_name("Acme\nLtd").is_err());
    }
}

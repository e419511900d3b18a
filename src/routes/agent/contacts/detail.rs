use actix_web::{web, HttpResponse};
use askama::Template;

use crate::auth::guard::SignedInAgent;
use crate::auth::session::{set_flash, FlashKind};
use crate::contacts::{self, ContactError, RESTORE_DAYS};
use crate::db::models::account::Account;
use crate::db::models::audit::Actor;
use crate::db::models::contact::Contact;
use crate::db::models::ticket::Ticket;
use crate::db::now;
use crate::domain::ShownStatus;
use crate::error::AppError;
use crate::routes::chrome::Chrome;
use crate::routes::{page, redirect_see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "agent/contacts/detail.html")]
struct ContactPage {
    chrome: Chrome,
    contact: Contact,
    account: Option<Account>,
    status: ShownStatus,
    tickets: Vec<Ticket>,
    restore_days: i64,
    confirm_delete: bool,
}

#[derive(serde::Deserialize)]
pub struct DetailQuery {
    confirm: Option<String>,
}

pub async fn show(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<DetailQuery>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let (contact, account, tickets) = state
        .db(move |conn| {
            let contact = Contact::find(conn, id)?.ok_or(AppError::NotFound)?;
            let account = match contact.account_id {
                Some(account_id) => Account::find(conn, account_id)?,
                None => None,
            };
            let tickets = Ticket::for_contact(conn, id)?;
            Ok((contact, account, tickets))
        })
        .await?;
    page(&ContactPage {
        chrome: agent.chrome("customers"),
        status: contact.shown_status(now()),
        contact,
        account,
        tickets,
        restore_days: RESTORE_DAYS,
        confirm_delete: query.confirm.as_deref() == Some("delete"),
    })
}

/// Runs one change on one contact, then returns to its page with what happened.
async fn change_one(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    id: i64,
    change: impl FnOnce(&mut crate::db::DbConnection, Actor) -> Result<String, ContactError>
        + Send
        + 'static,
) -> Result<HttpResponse, AppError> {
    let actor = Actor::Agent(agent.agent.id);
    let outcome = state.db(move |conn| Ok(change(conn, actor))).await?;
    match outcome {
        Ok(message) => {
            set_flash(agent.session(), FlashKind::Success, message);
            Ok(redirect_see_other(&format!("/contacts/{id}")))
        }
        Err(ContactError::NotFound) => Err(AppError::NotFound),
        Err(ContactError::DuplicateEmail { existing_id }) => {
            set_flash(
                agent.session(),
                FlashKind::Error,
                format!("This contact cannot be restored: contact #{existing_id} now has the same email address."),
            );
            Ok(redirect_see_other(&format!("/contacts/{id}")))
        }
        Err(ContactError::Database(error)) => Err(error.into()),
    }
}

pub async fn mark_spam(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    change_one(agent, state, id, move |conn, actor| {
        contacts::set_spam(conn, &[id], true, actor)?;
        Ok("Marked as spam. This contact cannot be invited or sign in to the Help Center until you mark it as not spam.".to_owned())
    })
    .await
}

pub async fn unmark_spam(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    change_one(agent, state, id, move |conn, actor| {
        contacts::set_spam(conn, &[id], false, actor)?;
        Ok("Marked as not spam.".to_owned())
    })
    .await
}

pub async fn delete(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    change_one(agent, state, id, move |conn, actor| {
        contacts::delete(conn, &[id], actor)?;
        Ok(format!(
            "Contact deleted. You can restore it from Recently deleted for {RESTORE_DAYS} days."
        ))
    })
    .await
}

pub async fn restore(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    change_one(agent, state, id, move |conn, actor| {
        contacts::restore(conn, id, actor)?;
        Ok("Contact restored.".to_owned())
    })
    .await
}

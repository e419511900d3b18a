//! A contact's Help Center access: deactivate an activated account, or reactivate it.

use actix_web::{web, HttpResponse};

use crate::audit::Actor;
use crate::auth::guard::SignedInAgent;
use crate::auth::session::{set_flash, FlashKind};
use crate::contacts::Contact;
use crate::error::AppError;
use crate::invitations::access::{self, AccessChange};
use crate::routes::redirect_see_other;
use crate::state::AppState;

async fn change(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    contact_id: i64,
    wanted: AccessChange,
) -> Result<HttpResponse, AppError> {
    let agent_id = agent.agent.id;
    let (contact, changed) = state
        .db(move |conn| {
            let contact = Contact::find(conn, contact_id)?.ok_or(AppError::NotFound)?;
            Ok((
                contact,
                access::change(conn, contact_id, wanted, Actor::Agent(agent_id))?,
            ))
        })
        .await?;
    let (kind, message) = match (changed, wanted) {
        (true, AccessChange::Deactivate) => (
            FlashKind::Success,
            format!("{} can no longer sign in to the Help Center.", contact.name),
        ),
        (true, AccessChange::Reactivate) => (
            FlashKind::Success,
            format!("{} can sign in to the Help Center again.", contact.name),
        ),
        (false, AccessChange::Deactivate) => (
            FlashKind::Info,
            "There was no active Help Center account to deactivate.".to_owned(),
        ),
        (false, AccessChange::Reactivate) => (
            FlashKind::Info,
            "There was no deactivated Help Center account to reactivate.".to_owned(),
        ),
    };
    set_flash(agent.session(), kind, message);
    Ok(redirect_see_other(&format!(
        "/contacts/{contact_id}#help-center"
    )))
}

pub async fn deactivate(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    change(agent, state, path.into_inner(), AccessChange::Deactivate).await
}

pub async fn reactivate(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    change(agent, state, path.into_inner(), AccessChange::Reactivate).await
}

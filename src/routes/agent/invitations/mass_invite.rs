use actix_web::{web, HttpResponse};
use askama::Template;

use crate::auth::guard::SignedInAgent;
use crate::error::AppError;
use crate::invitations::mass_invite::{self, MassInvite, MassInviteRow};
use crate::routes::chrome::Chrome;
use crate::routes::{page, redirect_see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "agent/invitations/mass_invite.html")]
struct MassInvitePage {
    chrome: Chrome,
    mass_invite: MassInvite,
    summary: String,
    rows: Vec<MassInviteRow>,
    in_progress: bool,
}

/// A fresh key for a mass-action form, so its submission can be recognised if it comes twice.
pub fn new_submission_key() -> String {
    crate::invitations::random_key()
}

/// Invites the selected contacts as one mass invite and shows its result page.
pub async fn mass_invite(
    agent: &SignedInAgent,
    state: &web::Data<AppState>,
    contact_ids: Vec<i64>,
    resend: bool,
    submission_key: Option<String>,
) -> Result<HttpResponse, AppError> {
    let key = submission_key
        .filter(|key| !key.is_empty() && key.len() <= 64)
        .unwrap_or_else(new_submission_key);
    let asker = (agent.agent.id, agent.agent.name.clone());
    let id = state
        .invitations(move |inviter| mass_invite::send(inviter, asker, contact_ids, resend, &key))
        .await?;
    Ok(redirect_see_other(&format!("/invitations/batches/{id}")))
}

pub async fn show(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let (mass_invite, rows) = state
        .db(move |conn| {
            let found = mass_invite::find(conn, id)?.ok_or(AppError::NotFound)?;
            Ok((found, mass_invite::rows(conn, id)?))
        })
        .await?;
    page(&MassInvitePage {
        chrome: agent.chrome("customers"),
        summary: mass_invite::summary(&mass_invite, &rows),
        in_progress: rows.is_empty()
            && mass_invite.invited + mass_invite.skipped + mass_invite.failed == 0,
        mass_invite,
        rows,
    })
}

pub async fn retry(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let asker = (agent.agent.id, agent.agent.name.clone());
    let key = new_submission_key();
    let retried = state
        .invitations(move |inviter| mass_invite::retry_failed(inviter, asker, id, &key))
        .await?;
    Ok(redirect_see_other(&format!(
        "/invitations/batches/{retried}"
    )))
}

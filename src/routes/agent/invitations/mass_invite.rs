use actix_web::{web, HttpResponse};
use askama::Template;

use crate::auth::guard::SignedInAgent;
use crate::error::AppError;
use crate::invitations::mass_invite::{self, MassInvite, MassInviteRow, Start};
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
    /// Invitations still being sent, when the page was shown before they were.
    sending: Option<i64>,
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
    let agent_id = agent.agent.id;
    let lease = state.lease;
    let started = state
        .invitations(move |inviter| {
            mass_invite::begin(inviter, agent_id, &contact_ids, resend, &key, lease)
        })
        .await?;
    let id = match started {
        Start::AlreadySubmitted(id) => id,
        Start::New(claim) => {
            let id = claim.id;
            // The emails go on being sent after the answer when the mail server is slow:
            // the page then shows the mass invite in progress.
            let worker = state.clone();
            let sending = actix_web::rt::spawn(async move {
                worker
                    .invitations(move |inviter| mass_invite::work(inviter, &claim, lease))
                    .await
            });
            match tokio::time::timeout(state.mass_invite_wait, sending).await {
                Ok(Ok(done)) => done?,
                Ok(Err(stopped)) => return Err(AppError::Blocking(stopped.to_string())),
                Err(_still_sending) => {
                    tracing::info!(mass_invite = id, "a mass invite goes on after its page")
                }
            }
            id
        }
    };
    Ok(redirect_see_other(&format!("/invitations/batches/{id}")))
}

pub async fn show(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let (mass_invite, rows, sending) = state
        .db(move |conn| {
            let found = mass_invite::find(conn, id)?.ok_or(AppError::NotFound)?;
            let rows = mass_invite::rows(conn, id)?;
            let sending = match found.finished_at {
                None => Some(mass_invite::sending(conn, id)?),
                Some(_) => None,
            };
            Ok((found, rows, sending))
        })
        .await?;
    page(&MassInvitePage {
        chrome: agent.chrome("customers"),
        summary: mass_invite::summary(&mass_invite, &rows),
        sending,
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
    let failed = state
        .db(move |conn| Ok(mass_invite::failed_to_retry(conn, id)?))
        .await?;
    mass_invite(&agent, &state, failed, false, None).await
}

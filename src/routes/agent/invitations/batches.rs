use actix_web::{web, HttpResponse};
use askama::Template;

use crate::auth::guard::SignedInAgent;
use crate::db::now;
use crate::error::AppError;
use crate::invitations::batch::{self, Batch, BatchRow, BatchStart, MAX_MASS_INVITE};
use crate::invitations::{quota, InviteRequest};
use crate::routes::chrome::Chrome;
use crate::routes::{page, redirect_see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "agent/invitations/batch.html")]
struct BatchPage {
    chrome: Chrome,
    batch: Batch,
    summary: String,
    rows: Vec<BatchRow>,
    in_progress: bool,
}

/// A fresh key for a mass-action form, so its submission can be recognised if it comes twice.
pub fn new_submission_key() -> String {
    crate::invitations::random_key()
}

/// Invites the selected contacts as one batch and shows its result page.
pub async fn mass_invite(
    agent: &SignedInAgent,
    state: &web::Data<AppState>,
    contact_ids: Vec<i64>,
    resend: bool,
    submission_key: Option<String>,
) -> Result<HttpResponse, AppError> {
    if contact_ids.is_empty() {
        return Err(AppError::BadRequest(
            "Select at least one contact to invite, or tick “Apply to all in this view”."
                .to_owned(),
        ));
    }
    if contact_ids.len() > MAX_MASS_INVITE {
        return Err(AppError::BadRequest(format!(
            "Select at most {MAX_MASS_INVITE} contacts to invite at once. To invite more, tick “Apply to all in this view”: Portico then invites the whole view as a bulk job."
        )));
    }
    let key = submission_key
        .filter(|key| !key.is_empty() && key.len() <= 64)
        .unwrap_or_else(new_submission_key);
    let agent_id = agent.agent.id;
    // Over the daily quota, nothing is written: not even the batch.
    let checked = contact_ids.clone();
    state
        .db(move |conn| {
            quota::precheck(conn, agent_id, &checked, resend, now())?
                .map_err(|refusal| AppError::BadRequest(refusal.to_string()))
        })
        .await?;
    let start = state
        .db(move |conn| Ok(batch::start(conn, agent_id, &key)?))
        .await?;
    let batch_id = match start {
        BatchStart::AlreadySubmitted(id) => {
            return Ok(redirect_see_other(&format!("/invitations/batches/{id}")))
        }
        BatchStart::New(id) => id,
    };
    let request = InviteRequest {
        contact_ids,
        agent: Some((agent_id, agent.agent.name.clone())),
        resend,
        batch_id: Some(batch_id),
        bulk_job_id: None,
    };
    let results = state
        .invitations(move |inviter| inviter.invite(&request))
        .await?;
    state
        .db(move |conn| Ok(batch::finish(conn, batch_id, &results)?))
        .await?;
    Ok(redirect_see_other(&format!(
        "/invitations/batches/{batch_id}"
    )))
}

pub async fn show(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let (batch, rows) = state
        .db(move |conn| {
            let batch = batch::find(conn, id)?.ok_or(AppError::NotFound)?;
            Ok((batch, batch::rows(conn, id)?))
        })
        .await?;
    page(&BatchPage {
        chrome: agent.chrome("customers"),
        summary: batch::summary(&batch, &rows),
        in_progress: rows.is_empty() && batch.invited + batch.skipped + batch.failed == 0,
        batch,
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
        .db(move |conn| {
            batch::find(conn, id)?.ok_or(AppError::NotFound)?;
            Ok(batch::failed_contacts(conn, id)?)
        })
        .await?;
    if failed.is_empty() {
        return Err(AppError::BadRequest(
            "No invitation in this batch failed, so there is nothing to retry.".to_owned(),
        ));
    }
    mass_invite(&agent, &state, failed, false, None).await
}

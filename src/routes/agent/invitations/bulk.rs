use actix_web::{web, HttpResponse};
use askama::Template;

use crate::auth::guard::SignedInAgent;
use crate::auth::session::{set_flash, FlashKind};
use crate::db::models::contact::{count_in_view, Criteria};
use crate::db::models::setting::HelpCenterSettings;
use crate::db::now;
use crate::error::AppError;
use crate::invitations::bulk::{self, BulkJob, ChunkOutcome, JobState};
use crate::invitations::quota;
use crate::routes::chrome::Chrome;
use crate::routes::{page, redirect_see_other};
use crate::state::AppState;

const JOBS_LISTED: i64 = 100;

#[derive(Template)]
#[template(path = "agent/invitations/bulk_job.html")]
struct JobPage {
    chrome: Chrome,
    job: BulkJob,
    state: JobState,
    /// Why a paused job cannot go on today, when the agent's daily quota is used up.
    quota_note: Option<String>,
}

#[derive(Template)]
#[template(path = "agent/invitations/bulk_jobs.html")]
struct JobsPage {
    chrome: Chrome,
    jobs: Vec<(BulkJob, Option<String>)>,
}

/// Starts a bulk job for a whole view and opens its page, which works it chunk by chunk.
pub async fn start(
    agent: &SignedInAgent,
    state: &web::Data<AppState>,
    description: String,
    criteria: Criteria,
    search: Option<String>,
) -> Result<HttpResponse, AppError> {
    let agent_id = agent.agent.id;
    let job_id = state
        .db(move |conn| {
            let total = count_in_view(conn, &criteria, search.as_deref(), now())?;
            if total == 0 {
                return Err(AppError::BadRequest(
                    "This view has no contacts to invite.".to_owned(),
                ));
            }
            Ok(bulk::create(
                conn,
                agent_id,
                &description,
                &criteria,
                search.as_deref(),
                total,
            )?)
        })
        .await?;
    Ok(redirect_see_other(&format!("/invitations/bulk/{job_id}")))
}

pub async fn list(
    agent: SignedInAgent,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let jobs = state
        .db(|conn| Ok(bulk::recent(conn, JOBS_LISTED)?))
        .await?;
    page(&JobsPage {
        chrome: agent.chrome("customers"),
        jobs,
    })
}

pub async fn show(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let agent_id = agent.agent.id;
    let (job, quota_note) = state
        .db(move |conn| {
            let job = bulk::find(conn, id)?.ok_or(AppError::NotFound)?;
            let quota_note = match HelpCenterSettings::load(conn)?.daily_invite_quota {
                Some(limit)
                    if job.state() == JobState::Paused
                        && quota::remaining(conn, agent_id, limit, now())? == 0 =>
                {
                    Some(quota_reached_note(limit))
                }
                _ => None,
            };
            Ok((job, quota_note))
        })
        .await?;
    page(&JobPage {
        chrome: agent.chrome("customers"),
        state: job.state(),
        job,
        quota_note,
    })
}

/// Works one chunk, then shows the page again (which, with JavaScript, asks for the next).
pub async fn work(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    state
        .db(move |conn| bulk::find(conn, id)?.ok_or(AppError::NotFound))
        .await?;
    let who = (agent.agent.id, agent.agent.name.clone());
    let outcome = state
        .with_inviter(move |inviter| bulk::work_chunk(inviter, id, who))
        .await?;
    match outcome {
        ChunkOutcome::NotClaimed => set_flash(
            agent.session(),
            FlashKind::Info,
            "This job is paused, finished, or being worked on in another tab.",
        ),
        // The job's page says why it paused.
        ChunkOutcome::StoppedAtQuota { .. }
        | ChunkOutcome::Worked { .. }
        | ChunkOutcome::Finished => {}
    }
    Ok(redirect_see_other(&format!("/invitations/bulk/{id}")))
}

fn quota_reached_note(limit: u32) -> String {
    format!(
        "Paused: you have sent your {limit} invitations for today, the daily limit. Resume the job tomorrow (the count starts again at midnight UTC), or ask an admin to raise the limit in Settings."
    )
}

async fn change_state(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    id: i64,
    to: JobState,
    done: &'static str,
) -> Result<HttpResponse, AppError> {
    let changed = state
        .db(move |conn| {
            bulk::find(conn, id)?.ok_or(AppError::NotFound)?;
            Ok(bulk::set_state(conn, id, to)?)
        })
        .await?;
    if changed {
        set_flash(agent.session(), FlashKind::Success, done);
    } else {
        set_flash(
            agent.session(),
            FlashKind::Error,
            "The job is no longer in a state that allows that.",
        );
    }
    Ok(redirect_see_other(&format!("/invitations/bulk/{id}")))
}

pub async fn pause(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    change_state(
        agent,
        state,
        path.into_inner(),
        JobState::Paused,
        "Job paused. Resume it whenever you like.",
    )
    .await
}

pub async fn resume(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    change_state(
        agent,
        state,
        path.into_inner(),
        JobState::Running,
        "Job resumed.",
    )
    .await
}

pub async fn cancel(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    change_state(
        agent,
        state,
        path.into_inner(),
        JobState::Cancelled,
        "Job cancelled. Invitations already sent stay valid.",
    )
    .await
}

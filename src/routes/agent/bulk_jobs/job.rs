//! A bulk job's page: its progress (updated by itself), Pause, Resume and Cancel, and once
//! contacts were skipped or failed, who and why, with Retry failed and Resend.

use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::web::Bytes;
use actix_web::{web, HttpResponse};
use askama::Template;
use futures_util::stream;
use serde::Deserialize;

use super::super::invitations::mass_invite;
use crate::auth::guard::SignedInAgent;
use crate::auth::session::{set_flash, FlashKind};
use crate::db::now;
use crate::domain::spreadsheet_safe;
use crate::error::AppError;
use crate::help_center::settings::HelpCenterSettings;
use crate::invitations::mass_invite::MAX_MASS_INVITE;
use crate::invitations::quota;
use crate::jobs::rows::{self, ListedRow, RowKind};
use crate::jobs::{self, BulkJob, JobAction, JobState};
use crate::routes::chrome::Chrome;
use crate::routes::{page, redirect_see_other};
use crate::state::AppState;

const JOBS_LISTED: i64 = 100;
const ROWS_SHOWN: i64 = 50;
const CSV_PAGE: i64 = 1_000;

#[derive(Template)]
#[template(path = "agent/bulk_jobs/list.html")]
struct JobsPage {
    chrome: Chrome,
    jobs: Vec<(BulkJob, Option<String>)>,
}

pub async fn list(
    agent: SignedInAgent,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let jobs = state
        .db(|conn| Ok(jobs::recent(conn, JOBS_LISTED)?))
        .await?;
    page(&JobsPage {
        chrome: agent.chrome("customers"),
        jobs,
    })
}

#[derive(Debug, Deserialize)]
pub struct RowsQuery {
    kind: Option<String>,
    after: Option<i64>,
}

fn row_kind(kind: Option<&str>) -> Option<RowKind> {
    match kind {
        Some("skipped") => Some(RowKind::Skipped),
        Some("failed") => Some(RowKind::Failed),
        Some("unknown") => Some(RowKind::Unknown),
        _ => None,
    }
}

#[derive(Template)]
#[template(path = "agent/bulk_jobs/job.html")]
struct JobPage {
    chrome: Chrome,
    job: BulkJob,
    state: JobState,
    action: JobAction,
    /// Why a paused job cannot go on today, when the agent's daily quota is used up.
    quota_note: Option<String>,
    kind: Option<RowKind>,
    rows: Vec<ListedRow>,
    next_rows_href: Option<String>,
    retryable: usize,
    resendable: usize,
}

impl JobPage {
    fn filter_href(&self, kind: &str) -> String {
        if kind.is_empty() {
            format!("/bulk-jobs/{}#not-done", self.job.id)
        } else {
            format!("/bulk-jobs/{}?kind={kind}#not-done", self.job.id)
        }
    }

    fn is_kind(&self, kind: &str) -> bool {
        self.kind.map_or("", RowKind::as_str) == kind
    }
}

pub async fn show(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<RowsQuery>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let agent_id = agent.agent.id;
    let kind = row_kind(query.kind.as_deref());
    let after = query.after.unwrap_or(0).max(0);
    let (job, quota_note, rows, retryable, resendable) = state
        .db(move |conn| {
            let job = jobs::find(conn, id)?.ok_or(AppError::NotFound)?;
            let quota_note = match HelpCenterSettings::load(conn)?.daily_invite_quota {
                Some(limit)
                    if job.state() == JobState::Paused
                        && job.action().sends_mail()
                        && quota::remaining(conn, agent_id, limit, now())? == 0 =>
                {
                    Some(quota_reached_note(limit))
                }
                _ => None,
            };
            let rows = rows::page(conn, id, kind, after, ROWS_SHOWN)?;
            let open = |conn: &mut _, kind| {
                rows::still_open(conn, id, kind, MAX_MASS_INVITE as i64).map(|ids| ids.len())
            };
            let retryable = open(conn, RowKind::Failed)?;
            let resendable = open(conn, RowKind::Unknown)?;
            Ok((job, quota_note, rows, retryable, resendable))
        })
        .await?;
    let next_rows_href = (rows.len() as i64 == ROWS_SHOWN)
        .then(|| rows.last())
        .flatten()
        .map(|last| {
            let kind = kind.map_or(String::new(), |kind| format!("kind={}&", kind.as_str()));
            format!("/bulk-jobs/{id}?{kind}after={}#not-done", last.contact_id)
        });
    page(&JobPage {
        chrome: agent.chrome("customers"),
        state: job.state(),
        action: job.action(),
        job,
        quota_note,
        kind,
        rows,
        next_rows_href,
        retryable,
        resendable,
    })
}

/// The job page's script reads this to follow the job without reloading.
pub async fn progress(
    _agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let job = state
        .db(move |conn| jobs::find(conn, id)?.ok_or(AppError::NotFound))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(serde_json::json!({
            "state": job.state().as_str(),
            "label": job.state().label(),
            "progress": job.progress_line(),
            "percent": job.percent(),
        })))
}

/// Every contact the job skipped, failed or could not confirm, as a spreadsheet.
pub async fn rows_csv(
    _agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    state
        .db(move |conn| jobs::find(conn, id)?.ok_or(AppError::NotFound))
        .await?;
    let chunks = stream::unfold(Some(0), move |after| {
        let state = state.clone();
        async move {
            let after = after?;
            let read = state
                .db(move |conn| Ok(rows::page(conn, id, None, after, CSV_PAGE)?))
                .await
                .and_then(|rows| csv_lines(&rows, after == 0).map(|bytes| (bytes, rows)));
            match read {
                Ok((bytes, rows)) => {
                    let next = (rows.len() as i64 == CSV_PAGE)
                        .then(|| rows.last().map(|row| row.contact_id))
                        .flatten();
                    Some((Ok(bytes), next))
                }
                // The status line is already sent: cutting the file short is what is left.
                Err(error) => {
                    tracing::error!(%error, "a bulk job's rows export failed part-way");
                    Some((Err(std::io::Error::other(error.to_string())), None))
                }
            }
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(format!(
                "bulk-job-{id}-not-done.csv"
            ))],
        })
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(chunks))
}

fn csv_lines(rows: &[ListedRow], with_header: bool) -> Result<Bytes, AppError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let failed = |error: csv::Error| AppError::Blocking(format!("could not write CSV: {error}"));
    if with_header {
        writer
            .write_record(["contact_id", "name", "email", "outcome", "reason"])
            .map_err(failed)?;
    }
    for row in rows {
        writer
            .write_record([
                row.contact_id.to_string(),
                spreadsheet_safe(&row.name),
                spreadsheet_safe(row.email.as_deref().unwrap_or("")),
                row.kind.as_str().to_owned(),
                spreadsheet_safe(&row.reason),
            ])
            .map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|error| failed(csv::Error::from(error.into_error())))?;
    Ok(Bytes::from(bytes))
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
            jobs::find(conn, id)?.ok_or(AppError::NotFound)?;
            Ok(jobs::set_state(conn, id, to)?)
        })
        .await?;
    if changed {
        if to == JobState::Running {
            state.jobs.wake();
        }
        set_flash(agent.session(), FlashKind::Success, done);
    } else {
        set_flash(
            agent.session(),
            FlashKind::Error,
            "The job is no longer in a state that allows that.",
        );
    }
    Ok(redirect_see_other(&format!("/bulk-jobs/{id}")))
}

pub async fn pause(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let message = "Job paused after the contacts in hand. Resume it whenever you like.";
    change_state(agent, state, path.into_inner(), JobState::Paused, message).await
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
    let message = "Job cancelled. What it already did stays done: invitations sent stay valid.";
    change_state(
        agent,
        state,
        path.into_inner(),
        JobState::Cancelled,
        message,
    )
    .await
}

/// Invites again, as one mass invite, the job's contacts whose invitation is still failed.
pub async fn retry_failed(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    again(agent, state, path.into_inner(), RowKind::Failed).await
}

/// Sends a new link, as one mass invite, to the job's contacts whose delivery is unknown.
pub async fn resend_unknown(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    again(agent, state, path.into_inner(), RowKind::Unknown).await
}

async fn again(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    id: i64,
    kind: RowKind,
) -> Result<HttpResponse, AppError> {
    let contacts = state
        .db(move |conn| {
            jobs::find(conn, id)?.ok_or(AppError::NotFound)?;
            Ok(rows::still_open(conn, id, kind, MAX_MASS_INVITE as i64)?)
        })
        .await?;
    if contacts.is_empty() {
        set_flash(
            agent.session(),
            FlashKind::Info,
            "Nothing left to send: those contacts were invited again already.",
        );
        return Ok(redirect_see_other(&format!("/bulk-jobs/{id}")));
    }
    mass_invite(&agent, &state, contacts, kind == RowKind::Unknown, None).await
}

//! Before a whole-view action starts: a page that says what it will do (for an invite, how
//! many contacts will be skipped and why, the daily quota, the email), then Confirm or Cancel.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::super::contacts::list::resolve_view;
use super::super::contacts::mass::move_target;
use super::super::contacts::params::{ListParams, RawListParams};
use super::super::contacts::table::format_count;
use crate::accounts::Account;
use crate::auth::guard::SignedInAgent;
use crate::contacts::{count_in_view, Criteria};
use crate::db::{now, DbConnection};
use crate::domain::TimeZone;
use crate::error::AppError;
use crate::help_center::settings::HelpCenterSettings;
use crate::invitations::{quota, InvitationWording, SkipReason};
use crate::jobs::forecast::{invite_forecast, InviteForecast};
use crate::jobs::{self, JobAction, NewJob};
use crate::mail::OutgoingMail;
use crate::routes::chrome::Chrome;
use crate::routes::form::HtmlForm;
use crate::routes::{page, redirect_see_other};
use crate::state::AppState;

/// The view and the action, as the action bar sent them and the confirm form sends them back.
#[derive(Debug, Deserialize)]
pub struct WholeView {
    action: String,
    view: Option<String>,
    account: Option<i64>,
    import: Option<i64>,
    q: Option<String>,
    account_name: Option<String>,
}

struct Resolved {
    action: JobAction,
    criteria: Criteria,
    search: Option<String>,
    /// The view's name, with the search when there is one.
    description: String,
    /// Where a move takes the contacts.
    account: Option<Account>,
    /// The fields that pick the same view and action again.
    fields: Vec<(&'static str, String)>,
    back_href: String,
}

fn resolve(
    conn: &mut DbConnection,
    agent_id: i64,
    zone: TimeZone,
    form: WholeView,
) -> Result<Resolved, AppError> {
    let action = JobAction::parse(&form.action).ok_or_else(|| {
        AppError::BadRequest(format!("“{}” is not an action Portico knows.", form.action))
    })?;
    let params = ListParams::parse(RawListParams {
        view: form.view,
        account: form.account,
        import: form.import,
        q: form.q,
        ..RawListParams::default()
    })?;
    let account_name = form
        .account_name
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty());
    let account = match action {
        JobAction::Move => {
            Some(move_target(conn, account_name.as_deref())?.map_err(AppError::BadRequest)?)
        }
        _ => None,
    };
    let (criteria, title, _) = resolve_view(conn, &params, agent_id, zone, now())?;
    let description = match &params.search {
        Some(q) => format!("{title}, matching “{q}”"),
        None => title,
    };
    let mut fields = params.selection_pairs();
    fields.push(("action", action.as_str().to_owned()));
    if let Some(account) = &account {
        fields.push(("account_name", account.name.clone()));
    }
    Ok(Resolved {
        action,
        criteria,
        search: params.search.clone(),
        description,
        account,
        fields,
        back_href: params.first_page_href("/contacts"),
    })
}

#[derive(Template)]
#[template(path = "agent/bulk_jobs/confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    description: String,
    question: String,
    confirm_label: String,
    total: i64,
    forecast: Option<InviteForecast>,
    quota_note: Option<String>,
    email: Option<OutgoingMail>,
    fields: Vec<(&'static str, String)>,
    back_href: String,
}

impl ConfirmPage {
    fn count(&self, count: &i64) -> String {
        format_count(*count)
    }

    fn reason(&self, reason: &SkipReason) -> &'static str {
        reason.text()
    }
}

/// GET /bulk-jobs/new: what the whole-view action will do, with Confirm and Cancel.
pub async fn confirm(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    query: web::Query<WholeView>,
) -> Result<HttpResponse, AppError> {
    let agent_id = agent.agent.id;
    let zone = agent.agent.zone();
    let (resolved, total, forecast, settings, remaining) = state
        .db(move |conn| {
            let resolved = resolve(conn, agent_id, zone, query.into_inner())?;
            let now = now();
            let settings = HelpCenterSettings::load(conn)?;
            let forecast = if resolved.action.sends_mail() {
                let resend = resolved.action == JobAction::Resend;
                Some(invite_forecast(
                    conn,
                    &resolved.criteria,
                    resolved.search.as_deref(),
                    resend,
                    now,
                )?)
            } else {
                None
            };
            let total = match &forecast {
                Some(forecast) => forecast.total,
                None => count_in_view(conn, &resolved.criteria, resolved.search.as_deref(), now)?,
            };
            let remaining = match settings.daily_invite_quota {
                Some(limit) if resolved.action.sends_mail() => {
                    Some((quota::remaining(conn, agent_id, limit, now)?, limit))
                }
                _ => None,
            };
            Ok((resolved, total, forecast, settings, remaining))
        })
        .await?;
    let email = match forecast
        .as_ref()
        .and_then(|forecast| forecast.sample.as_ref())
    {
        Some((name, address)) => {
            let ttl = state.inviter.ttl;
            Some(state.inviter.invitation_email.preview_with(
                &InvitationWording::from_settings(&settings),
                address,
                name,
                &agent.agent.name,
                now() + settings.invite_ttl_or(ttl),
            )?)
        }
        None => None,
    };
    let quota_note = remaining.map(|(remaining, limit)| {
        format!(
            "Your daily limit is {limit} invitations, and {remaining} are left for today. The job pauses when the limit is reached; resume it tomorrow."
        )
    });
    let count = format_count(total);
    let (question, confirm_label) = wording(&resolved, &count);
    page(&ConfirmPage {
        chrome: agent.chrome("customers"),
        description: resolved.description,
        question,
        confirm_label,
        total,
        forecast,
        quota_note,
        email,
        fields: resolved.fields,
        back_href: resolved.back_href,
    })
}

fn wording(resolved: &Resolved, count: &str) -> (String, String) {
    let view = &resolved.description;
    let account = resolved
        .account
        .as_ref()
        .map_or("", |account| account.name.as_str());
    match resolved.action {
        JobAction::Invite => (
            format!("Invite the contacts in “{view}” to the Help Center?"),
            format!("Invite all {count}"),
        ),
        JobAction::Resend => (
            format!("Send a new invitation link to the contacts in “{view}”? Their earlier links stop working."),
            format!("Resend to all {count}"),
        ),
        JobAction::Spam => (
            format!("Mark all {count} contacts in “{view}” as spam?"),
            format!("Mark all {count} as spam"),
        ),
        JobAction::NotSpam => (
            format!("Mark all {count} contacts in “{view}” as not spam?"),
            format!("Mark all {count} as not spam"),
        ),
        JobAction::Delete => (
            format!("Delete all {count} contacts in “{view}”? They can be restored from Recently deleted for 30 days."),
            format!("Delete all {count}"),
        ),
        JobAction::Restore => (
            format!("Restore all {count} contacts in “{view}”?"),
            format!("Restore all {count}"),
        ),
        JobAction::Move => (
            format!("Move all {count} contacts in “{view}” to {account}?"),
            format!("Move all {count} to {account}"),
        ),
        JobAction::Deactivate => (
            format!("Deactivate the Help Center access of all {count} contacts in “{view}”? They can no longer sign in; their accounts stay, to be reactivated."),
            format!("Deactivate all {count}"),
        ),
        JobAction::Reactivate => (
            format!("Reactivate the Help Center access of all {count} contacts in “{view}”?"),
            format!("Reactivate all {count}"),
        ),
    }
}

/// POST /bulk-jobs: the confirmed action becomes a job, and the runner starts on it at once.
pub async fn start(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    form: HtmlForm<WholeView>,
) -> Result<HttpResponse, AppError> {
    let agent_id = agent.agent.id;
    let zone = agent.agent.zone();
    let job_id = state
        .db(move |conn| {
            let resolved = resolve(conn, agent_id, zone, form.0)?;
            let total = count_in_view(conn, &resolved.criteria, resolved.search.as_deref(), now())?;
            if total == 0 {
                return Err(AppError::BadRequest(
                    "This view has no contacts, so there is nothing to do.".to_owned(),
                ));
            }
            Ok(jobs::create(
                conn,
                &NewJob {
                    agent_id,
                    action: resolved.action,
                    account_id: resolved.account.map(|account| account.id),
                    description: &resolved.description,
                    criteria: &resolved.criteria,
                    search: resolved.search.as_deref(),
                    total,
                },
            )?)
        })
        .await?;
    state.jobs.wake();
    Ok(redirect_see_other(&format!("/bulk-jobs/{job_id}")))
}

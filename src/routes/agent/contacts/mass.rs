//! The mass-action bar: the selected rows, or every contact in the view.

use actix_web::web;
use actix_web::HttpResponse;
use serde::Deserialize;

use super::list::resolve_view;
use super::params::{ListParams, RawListParams};
use crate::auth::guard::SignedInAgent;
use crate::auth::session::{set_flash, FlashKind};
use crate::contacts::{self, ContactError};
use crate::db::models::account::Account;
use crate::db::models::audit::Actor;
use crate::db::models::contact::ids_in_view;
use crate::db::{now, DbConnection};
use crate::error::AppError;
use crate::routes::form::HtmlForm;
use crate::routes::redirect_see_other;
use crate::state::AppState;

/// Most rows a page can show is 100; a posted list longer than this is not from our form.
pub const MAX_SELECTED: usize = 1_000;
/// "All in this view" is worked through in chunks of this many, each in its own transaction.
const CHUNK: i64 = 1_000;

#[derive(Debug, Deserialize)]
pub struct MassActionForm {
    action: String,
    #[serde(default)]
    ids: Vec<i64>,
    all_in_view: Option<String>,
    account_name: Option<String>,
    return_to: Option<String>,
    view: Option<String>,
    account: Option<i64>,
    import: Option<i64>,
    q: Option<String>,
    submission_key: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MassAction {
    Spam,
    NotSpam,
    Delete,
    Restore,
    Move,
}

impl MassAction {
    fn parse(value: &str) -> Option<MassAction> {
        match value {
            "spam" => Some(MassAction::Spam),
            "not_spam" => Some(MassAction::NotSpam),
            "delete" => Some(MassAction::Delete),
            "restore" => Some(MassAction::Restore),
            "move" => Some(MassAction::Move),
            _ => None,
        }
    }

    fn done_message(self, count: usize, account: Option<&str>) -> String {
        let contacts = if count == 1 {
            "contact".to_owned()
        } else {
            format!("{count} contacts")
        };
        let contacts = if count == 1 {
            format!("1 {contacts}")
        } else {
            contacts
        };
        match self {
            MassAction::Spam => format!("Marked {contacts} as spam."),
            MassAction::NotSpam => format!("Marked {contacts} as not spam."),
            MassAction::Delete => format!(
                "Deleted {contacts}. They can be restored from Recently deleted for 30 days."
            ),
            MassAction::Restore => format!("Restored {contacts}."),
            MassAction::Move => {
                format!("Moved {contacts} to {}.", account.unwrap_or("the account"))
            }
        }
    }
}

/// Only back to a list page of ours.
fn safe_return(return_to: Option<&str>) -> String {
    match return_to {
        Some(path)
            if (path.starts_with("/contacts") || path.starts_with("/accounts/"))
                && !path.contains("//")
                && !path.contains('\\') =>
        {
            path.to_owned()
        }
        _ => "/contacts".to_owned(),
    }
}

fn apply_to(
    conn: &mut DbConnection,
    action: MassAction,
    ids: &[i64],
    account_id: Option<i64>,
    actor: Actor,
) -> Result<usize, ContactError> {
    match action {
        MassAction::Spam => contacts::set_spam(conn, ids, true, actor),
        MassAction::NotSpam => contacts::set_spam(conn, ids, false, actor),
        MassAction::Delete => contacts::delete(conn, ids, actor),
        MassAction::Move => contacts::move_to_account(conn, ids, account_id, actor),
        MassAction::Restore => {
            let mut restored = 0;
            for id in ids {
                match contacts::restore(conn, *id, actor) {
                    Ok(()) => restored += 1,
                    // A contact whose address was taken meanwhile, or that was merged into
                    // another, stays deleted; the count says so.
                    Err(
                        ContactError::DuplicateEmail { .. }
                        | ContactError::NotFound
                        | ContactError::MergedInto { .. },
                    ) => {}
                    Err(error) => return Err(error),
                }
            }
            Ok(restored)
        }
    }
}

pub async fn apply(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    form: HtmlForm<MassActionForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.0;
    let return_to = safe_return(form.return_to.as_deref());
    if form.action == "invite" {
        return invite(&agent, &state, form).await;
    }
    let action = MassAction::parse(&form.action).ok_or_else(|| {
        AppError::BadRequest(format!("“{}” is not an action Portico knows.", form.action))
    })?;
    let all_in_view = form.all_in_view.is_some();
    if !all_in_view && form.ids.is_empty() {
        return Err(AppError::BadRequest(
            "Select at least one contact, or tick “Apply to all in this view”.".to_owned(),
        ));
    }
    if form.ids.len() > MAX_SELECTED {
        return Err(AppError::BadRequest(format!(
            "Select at most {MAX_SELECTED} contacts at once, or use “Apply to all in this view”."
        )));
    }
    let account_name = form
        .account_name
        .clone()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty());
    if action == MassAction::Move && account_name.is_none() {
        return Err(AppError::BadRequest(
            "Type the name of the account to move the contacts to.".to_owned(),
        ));
    }
    let params = ListParams::parse(RawListParams {
        view: form.view.clone(),
        account: form.account,
        import: form.import,
        q: form.q.clone(),
        ..RawListParams::default()
    })?;
    let actor = Actor::Agent(agent.agent.id);
    let agent_id = agent.agent.id;
    let selected = form.ids.clone();
    let (count, account_label) = state
        .db(move |conn| {
            let account = match &account_name {
                Some(name) => Some(Account::find_by_name(conn, name)?.ok_or_else(|| {
                    AppError::BadRequest(format!(
                        "There is no account called “{name}”. Add it under Accounts first."
                    ))
                })?),
                None => None,
            };
            let account_id = account.as_ref().map(|account| account.id);
            if !all_in_view {
                let count =
                    apply_to(conn, action, &selected, account_id, actor).map_err(contact_error)?;
                return Ok((count, account.map(|account| account.name)));
            }
            let now = now();
            let (criteria, _, _) = resolve_view(conn, &params, agent_id, now)?;
            let mut after = 0;
            let mut count = 0;
            loop {
                let chunk =
                    ids_in_view(conn, &criteria, params.search.as_deref(), now, after, CHUNK)?;
                let Some(last) = chunk.last().copied() else {
                    break;
                };
                count +=
                    apply_to(conn, action, &chunk, account_id, actor).map_err(contact_error)?;
                after = last;
            }
            Ok((count, account.map(|account| account.name)))
        })
        .await?;
    set_flash(
        agent.session(),
        FlashKind::Success,
        action.done_message(count, account_label.as_deref()),
    );
    Ok(redirect_see_other(&return_to))
}

/// Invite to Help Center: the selected rows as one batch, or the whole view as a bulk job.
async fn invite(
    agent: &SignedInAgent,
    state: &web::Data<AppState>,
    form: MassActionForm,
) -> Result<HttpResponse, AppError> {
    if form.all_in_view.is_none() {
        return crate::routes::agent::invitations::mass_invite(
            agent,
            state,
            form.ids,
            form.submission_key,
        )
        .await;
    }
    let params = ListParams::parse(RawListParams {
        view: form.view,
        account: form.account,
        import: form.import,
        q: form.q,
        ..RawListParams::default()
    })?;
    let agent_id = agent.agent.id;
    let search = params.search.clone();
    let (criteria, title) = state
        .db(move |conn| {
            let (criteria, title, _) = resolve_view(conn, &params, agent_id, now())?;
            Ok((criteria, title))
        })
        .await?;
    let description = match &search {
        Some(q) => format!("{title}, matching “{q}”"),
        None => title,
    };
    crate::routes::agent::invitations::start_bulk_job(agent, state, description, criteria, search)
        .await
}

fn contact_error(error: ContactError) -> AppError {
    match error {
        ContactError::Database(error) => error.into(),
        ContactError::NotFound => AppError::NotFound,
        ContactError::DuplicateEmail { .. } | ContactError::MergedInto { .. } => {
            AppError::BadRequest(error.to_string())
        }
    }
}

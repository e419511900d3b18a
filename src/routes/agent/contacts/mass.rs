//! The mass-action bar: the selected rows, or every contact in the view (a bulk job).

use actix_web::web;
use actix_web::HttpResponse;
use serde::Deserialize;

use super::list::list_again;
use super::params::RawListParams;
use super::table::KeptBar;
use crate::accounts::Account;
use crate::audit::Actor;
use crate::auth::guard::SignedInAgent;
use crate::auth::session::{set_flash, FlashKind};
use crate::contacts::mass;
use crate::contacts::ContactError;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::invitations::mass_invite::MAX_MASS_INVITE;
use crate::jobs::JobAction;
use crate::routes::agent::accounts::detail::show_again;
use crate::routes::form::HtmlForm;
use crate::routes::redirect_see_other;
use crate::state::AppState;
use diesel::QueryResult;

/// Most rows a page can show is 100; a posted list longer than this is not from our form.
pub const MAX_SELECTED: usize = 1_000;

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

fn done_message(action: JobAction, count: usize, account: Option<&str>) -> String {
    let contacts = if count == 1 {
        "1 contact".to_owned()
    } else {
        format!("{count} contacts")
    };
    match action {
        JobAction::Spam => format!("Marked {contacts} as spam."),
        JobAction::NotSpam => format!("Marked {contacts} as not spam."),
        JobAction::Delete => {
            format!("Deleted {contacts}. They can be restored from Recently deleted for 30 days.")
        }
        JobAction::Restore => format!("Restored {contacts}."),
        JobAction::Move => format!("Moved {contacts} to {}.", account.unwrap_or("the account")),
        JobAction::Deactivate => format!("Deactivated the Help Center access of {contacts}."),
        JobAction::Reactivate => format!("Reactivated the Help Center access of {contacts}."),
        JobAction::Invite | JobAction::Resend => String::new(),
    }
}

/// Only back to a list page of ours.
fn safe_return(return_to: Option<&str>) -> String {
    match return_to {
        Some(path)
            if (path.starts_with("/contacts") || path.starts_with("/accounts/"))
                && !path.contains("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/contacts".to_owned(),
    }
}

/// The action bar: the selected rows here and now; every contact in the view through a bulk
/// job, after a page that says what it will do. A request the bar cannot carry out shows the
/// list again with the reason beside the bar, the agent's ticks and typed account kept.
pub async fn apply(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    form: HtmlForm<MassActionForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.0;
    let action = JobAction::parse(&form.action).ok_or_else(|| {
        AppError::BadRequest(format!("“{}” is not an action Portico knows.", form.action))
    })?;
    let return_to = safe_return(form.return_to.as_deref());
    let account_name = form
        .account_name
        .as_deref()
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_owned);
    let refuse = |error: String| KeptBar {
        error: Some(error),
        ticked: form.ids.iter().copied().take(MAX_SELECTED).collect(),
        account_name: form.account_name.clone().unwrap_or_default(),
    };
    let account = match action {
        JobAction::Move => {
            let name = account_name.clone();
            match state
                .db(move |conn| Ok(move_target(conn, name.as_deref())?))
                .await?
            {
                Ok(account) => Some(account),
                Err(refusal) => {
                    return back_to_the_list(&agent, &state, &return_to, refuse(refusal)).await
                }
            }
        }
        _ => None,
    };
    if form.all_in_view.is_some() {
        return Ok(redirect_see_other(&confirm_href(action, &form)));
    }
    let too_many = if action.sends_mail() {
        MAX_MASS_INVITE
    } else {
        MAX_SELECTED
    };
    let refusal = if form.ids.is_empty() {
        Some("Select at least one contact, or tick “Apply to all in this view”.".to_owned())
    } else if form.ids.len() > too_many {
        Some(format!(
            "Select at most {too_many} contacts at once, or tick “Apply to all in this view”: \
             Portico then works through the whole view as a bulk job."
        ))
    } else {
        None
    };
    if let Some(refusal) = refusal {
        return back_to_the_list(&agent, &state, &return_to, refuse(refusal)).await;
    }
    if action.sends_mail() {
        return crate::routes::agent::invitations::mass_invite(
            &agent,
            &state,
            form.ids,
            action == JobAction::Resend,
            form.submission_key,
        )
        .await;
    }
    let actor = Actor::Agent(agent.agent.id);
    let selected = form.ids;
    let account_id = account.as_ref().map(|account| account.id);
    let count = state
        .db(move |conn| match action.change(account_id) {
            Some(change) => Ok(mass::apply(conn, change, &selected, actor)
                .map_err(contact_error)?
                .changed),
            None => Err(AppError::NotFound),
        })
        .await?;
    set_flash(
        agent.session(),
        FlashKind::Success,
        done_message(
            action,
            count,
            account.as_ref().map(|account| account.name.as_str()),
        ),
    );
    Ok(redirect_see_other(&return_to))
}

/// The list page `return_to` names (the Contacts list or an account's page), again, with the
/// action bar as the agent left it.
async fn back_to_the_list(
    agent: &SignedInAgent,
    state: &web::Data<AppState>,
    return_to: &str,
    kept: KeptBar,
) -> Result<HttpResponse, AppError> {
    let (path, query) = return_to.split_once('?').unwrap_or((return_to, ""));
    let raw = web::Query::<RawListParams>::from_query(query)
        .map(web::Query::into_inner)
        .unwrap_or_default();
    match path
        .strip_prefix("/accounts/")
        .and_then(|id| id.parse::<i64>().ok())
    {
        Some(account_id) => show_again(agent, state, account_id, raw, kept).await,
        None => list_again(agent, state, raw, kept).await,
    }
}

/// The account a move goes to, by the name typed in the action bar; the refusal to show
/// when there is none, with the names that come close.
pub fn move_target(
    conn: &mut DbConnection,
    name: Option<&str>,
) -> QueryResult<Result<Account, String>> {
    let Some(name) = name.map(str::trim).filter(|name| !name.is_empty()) else {
        return Ok(Err(
            "Type the name of the account to move the contacts to.".to_owned()
        ));
    };
    if let Some(account) = Account::find_by_name(conn, name)? {
        return Ok(Ok(account));
    }
    let close = Account::names_holding(conn, name, 5)?;
    let suggestion = match close.as_slice() {
        [] => String::new(),
        names => format!(
            " Did you mean {}?",
            names
                .iter()
                .map(|name| format!("“{name}”"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Ok(Err(format!(
        "There is no account called “{name}”.{suggestion} To move contacts to a new account, add it under Accounts first."
    )))
}

/// The page that confirms a whole-view action, for the view the bar was on.
fn confirm_href(action: JobAction, form: &MassActionForm) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("action", action.as_str());
    if let Some(view) = &form.view {
        query.append_pair("view", view);
    }
    if let Some(account) = form.account {
        query.append_pair("account", &account.to_string());
    }
    if let Some(import) = form.import {
        query.append_pair("import", &import.to_string());
    }
    if let Some(q) = form.q.as_deref().filter(|q| !q.trim().is_empty()) {
        query.append_pair("q", q);
    }
    if let Some(name) = form.account_name.as_deref().map(str::trim) {
        if action == JobAction::Move && !name.is_empty() {
            query.append_pair("account_name", name);
        }
    }
    format!("/bulk-jobs/new?{}", query.finish())
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

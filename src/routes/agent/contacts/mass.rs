//! The mass-action bar: the selected rows, or every contact in the view (a bulk job).

use actix_web::web;
use actix_web::HttpResponse;
use serde::Deserialize;

use crate::accounts::Account;
use crate::audit::Actor;
use crate::auth::guard::SignedInAgent;
use crate::auth::session::{set_flash, FlashKind};
use crate::contacts::mass;
use crate::contacts::ContactError;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::jobs::JobAction;
use crate::routes::form::HtmlForm;
use crate::routes::redirect_see_other;
use crate::state::AppState;

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
/// job, after a page that says what it will do.
pub async fn apply(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    form: HtmlForm<MassActionForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.0;
    let action = JobAction::parse(&form.action).ok_or_else(|| {
        AppError::BadRequest(format!("“{}” is not an action Portico knows.", form.action))
    })?;
    if form.all_in_view.is_some() {
        return Ok(redirect_see_other(&confirm_href(action, &form)));
    }
    if form.ids.is_empty() {
        return Err(AppError::BadRequest(
            "Select at least one contact, or tick “Apply to all in this view”.".to_owned(),
        ));
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
    if form.ids.len() > MAX_SELECTED {
        return Err(AppError::BadRequest(format!(
            "Select at most {MAX_SELECTED} contacts at once, or use “Apply to all in this view”."
        )));
    }
    let return_to = safe_return(form.return_to.as_deref());
    let account_name = form
        .account_name
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty());
    let actor = Actor::Agent(agent.agent.id);
    let selected = form.ids;
    let (count, account_label) = state
        .db(move |conn| {
            let account = match action {
                JobAction::Move => Some(move_target(conn, account_name.as_deref())?),
                _ => None,
            };
            let applied = match action.change(account.as_ref().map(|account| account.id)) {
                Some(change) => {
                    mass::apply(conn, change, &selected, actor).map_err(contact_error)?
                }
                None => return Err(AppError::NotFound),
            };
            Ok((applied.changed, account.map(|account| account.name)))
        })
        .await?;
    set_flash(
        agent.session(),
        FlashKind::Success,
        done_message(action, count, account_label.as_deref()),
    );
    Ok(redirect_see_other(&return_to))
}

/// The account a move goes to, by the name typed in the action bar.
pub fn move_target(conn: &mut DbConnection, name: Option<&str>) -> Result<Account, AppError> {
    let name = name.ok_or_else(|| {
        AppError::BadRequest("Type the name of the account to move the contacts to.".to_owned())
    })?;
    Account::find_by_name(conn, name)?.ok_or_else(|| {
        AppError::BadRequest(format!(
            "There is no account called “{name}”. Add it under Accounts first."
        ))
    })
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

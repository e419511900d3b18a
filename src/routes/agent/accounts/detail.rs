//! An account's page: its counts and its contacts in the Contacts list's own table, and
//! deleting the account (its contacts stay, without an account).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::accounts::{self, Account, ContactCounts};
use crate::audit::Actor;
use crate::auth::guard::SignedInAgent;
use crate::auth::session::{set_flash, FlashKind};
use crate::contacts::ViewCounts;
use crate::db::now;
use crate::error::AppError;
use crate::routes::agent::contacts::list::build_table;
use crate::routes::agent::contacts::params::{ListParams, RawListParams};
use crate::routes::agent::contacts::table::{format_count, Cell, ContactTable, KeptBar};
use crate::routes::chrome::Chrome;
use crate::routes::{page, page_with_status, redirect_see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "agent/accounts/detail.html")]
struct AccountPage {
    chrome: Chrome,
    account: Account,
    contacts: String,
    activated: String,
    title: String,
    search: String,
    selection: Vec<(&'static str, String)>,
    table: ContactTable,
    /// Identifies the mass-action form's submission, so posting it twice invites nobody twice.
    submission_key: String,
    confirm_delete: bool,
    live_contacts: i64,
    views_filtering: usize,
}

#[derive(Deserialize)]
pub struct ConfirmQuery {
    confirm: Option<String>,
}

fn contacts_phrase(count: i64) -> String {
    match count {
        1 => "1 contact".to_owned(),
        count => format!("{} contacts", format_count(count)),
    }
}

pub async fn show(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<RawListParams>,
    confirm: web::Query<ConfirmQuery>,
) -> Result<HttpResponse, AppError> {
    let confirm_delete = confirm.confirm.as_deref() == Some("delete");
    let shown = render(
        &agent,
        &state,
        path.into_inner(),
        query.into_inner(),
        confirm_delete,
        KeptBar::default(),
    )
    .await?;
    page(&shown)
}

/// The account's page the action bar was on, again, with its refusal beside the bar and the
/// ticked rows and typed account as the agent left them.
pub async fn show_again(
    agent: &SignedInAgent,
    state: &web::Data<AppState>,
    id: i64,
    raw: RawListParams,
    kept: KeptBar,
) -> Result<HttpResponse, AppError> {
    let shown = render(agent, state, id, raw, false, kept).await?;
    page_with_status(&shown, StatusCode::BAD_REQUEST)
}

async fn render(
    agent: &SignedInAgent,
    state: &web::Data<AppState>,
    id: i64,
    raw: RawListParams,
    confirm_delete: bool,
    kept: KeptBar,
) -> Result<AccountPage, AppError> {
    let sort_given = raw.sort.is_some();
    let mut params = ListParams::parse(raw)?;
    params.account = Some(id);
    let reader = agent.agent.clone();
    let (account, counts, views_filtering, mut table, title, params) = state
        .db(move |conn| {
            let account = Account::find(conn, id)?.ok_or(AppError::NotFound)?;
            let counts = Account::contact_counts(conn, &[id])?
                .remove(&id)
                .unwrap_or_default();
            let views_filtering = if confirm_delete {
                crate::contacts::custom_views::CustomView::naming_account(conn, id)?
            } else {
                0
            };
            // The kept counts cover the whole table; criteria naming an account never match
            // them, so the table counts the account's contacts itself and reading them is waste.
            let whole_table = ViewCounts::default();
            let (table, title, _) = build_table(
                conn,
                &mut params,
                sort_given,
                &reader,
                &whole_table,
                &format!("/accounts/{id}"),
                now(),
            )?;
            Ok((account, counts, views_filtering, table, title, params))
        })
        .await?;
    let ContactCounts {
        contacts,
        activated,
    } = counts;
    table.kept = kept;
    Ok(AccountPage {
        chrome: agent.chrome("customers"),
        contacts: contacts_phrase(contacts),
        activated: format_count(activated),
        live_contacts: contacts,
        account,
        title,
        search: params.search.clone().unwrap_or_default(),
        selection: params
            .selection_pairs()
            .into_iter()
            .filter(|(key, _)| *key != "q")
            .collect(),
        table,
        submission_key: crate::routes::agent::invitations::new_submission_key(),
        confirm_delete,
        views_filtering,
    })
}

pub async fn delete(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let actor = Actor::Agent(agent.agent.id);
    let (name, counts) = state
        .db(move |conn| accounts::delete(conn, actor, id)?.ok_or(AppError::NotFound))
        .await?;
    let kept = match counts.contacts {
        0 => String::new(),
        1 => " Its contact was kept and now has no account.".to_owned(),
        count => format!(
            " Its {} contacts were kept and now have no account.",
            format_count(count)
        ),
    };
    set_flash(
        agent.session(),
        FlashKind::Success,
        format!("Account “{name}” deleted.{kept}"),
    );
    Ok(redirect_see_other("/accounts"))
}

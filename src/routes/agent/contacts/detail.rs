use actix_web::{web, HttpResponse};
use askama::Template;

use crate::accounts::Account;
use crate::audit::log::AuditEntry;
use crate::audit::Actor;
use crate::auth::guard::SignedInAgent;
use crate::auth::session::{set_flash, FlashKind};
use crate::contacts::merge::rows::MergedInto;
use crate::contacts::Contact;
use crate::contacts::{self, ContactError, RESTORE_DAYS};
use crate::db::now;
use crate::domain::ShownStatus;
use crate::error::AppError;
use crate::invitations::invitation::{DeliveryAttempt, Invitation, InvitationLabel};
use crate::routes::chrome::Chrome;
use crate::routes::{page, redirect_see_other};
use crate::state::AppState;
use crate::tickets::Ticket;

#[derive(Template)]
#[template(path = "agent/contacts/detail.html")]
struct ContactPage {
    chrome: Chrome,
    contact: Contact,
    account: Option<Account>,
    status: ShownStatus,
    tickets: Vec<Ticket>,
    restore_days: i64,
    confirm_delete: bool,
    invitations: Vec<InvitationEntry>,
    has_live_invitation: bool,
    outbox_file: Option<String>,
    history: Vec<AuditEntry>,
    /// For a contact merged away: the contact it went into.
    merged_into: Option<MergedInto>,
}

/// The contact's "History" panel shows this many of its newest audit events.
const HISTORY_SHOWN: i64 = 20;

/// One invitation on the contact's page: who sent it, when, where it stands, every attempt.
pub struct InvitationEntry {
    pub invitation: Invitation,
    pub sender: String,
    pub label: InvitationLabel,
    pub attempts: Vec<DeliveryAttempt>,
}

#[derive(serde::Deserialize)]
pub struct DetailQuery {
    confirm: Option<String>,
}

pub async fn show(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<DetailQuery>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let (contact, account, tickets, history, audit_history, merged_into) = state
        .db(move |conn| {
            let contact = Contact::find(conn, id)?.ok_or(AppError::NotFound)?;
            let account = match contact.account_id {
                Some(account_id) => Account::find(conn, account_id)?,
                None => None,
            };
            let tickets = Ticket::for_contact(conn, id)?;
            let history = Invitation::history(conn, id)?;
            let audit_history = crate::audit::log::for_contact(conn, id, HISTORY_SHOWN)?;
            let merged_into = if contact.is_live() {
                None
            } else {
                contacts::merge::rows::merged_into(conn, id)?
            };
            Ok((
                contact,
                account,
                tickets,
                history,
                audit_history,
                merged_into,
            ))
        })
        .await?;
    let now = now();
    let sent: Vec<Invitation> = history
        .iter()
        .map(|(invitation, _, _)| invitation.clone())
        .collect();
    let invitations: Vec<InvitationEntry> = history
        .into_iter()
        .map(|(invitation, sender, attempts)| InvitationEntry {
            label: invitation.label_among(now, &sent),
            sender: sender.unwrap_or_else(|| "Portico".to_owned()),
            invitation,
            attempts,
        })
        .collect();
    let has_live_invitation = invitations.iter().any(|entry| entry.invitation.is_live());
    let outbox_file = if state.demo {
        latest_outbox_file(&state, &contact)
    } else {
        None
    };
    page(&ContactPage {
        chrome: agent.chrome("customers"),
        status: contact.shown_status(now),
        invitations,
        has_live_invitation,
        outbox_file,
        history: audit_history,
        merged_into,
        contact,
        account,
        tickets,
        restore_days: RESTORE_DAYS,
        confirm_delete: query.confirm.as_deref() == Some("delete"),
    })
}

/// In demo mode without SMTP, the newest .eml addressed to this contact, so the link in it can
/// be opened without a mail server.
fn latest_outbox_file(state: &AppState, contact: &Contact) -> Option<String> {
    let crate::mail::Mailer::Outbox(outbox) = state.mailer.as_ref() else {
        return None;
    };
    let email = contact.email.as_deref()?;
    let mut newest: Option<(std::time::SystemTime, std::path::PathBuf)> = None;
    for entry in std::fs::read_dir(outbox.folder()).ok()?.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|ext| ext != "eml") {
            continue;
        }
        let modified = entry.metadata().and_then(|meta| meta.modified()).ok()?;
        if newest.as_ref().is_some_and(|(time, _)| *time >= modified) {
            continue;
        }
        let head = std::fs::read_to_string(&path).ok()?;
        if head
            .lines()
            .take(30)
            .any(|line| line.starts_with("To:") && line.to_lowercase().contains(email))
        {
            newest = Some((modified, path));
        }
    }
    newest.and_then(|(_, path)| {
        path.file_name()
            .map(|name| name.to_string_lossy().into_owned())
    })
}

/// Runs one change on one contact, then returns to its page with what happened.
async fn change_one(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    id: i64,
    change: impl FnOnce(&mut crate::db::DbConnection, Actor) -> Result<String, ContactError>
        + Send
        + 'static,
) -> Result<HttpResponse, AppError> {
    let actor = Actor::Agent(agent.agent.id);
    let outcome = state.db(move |conn| Ok(change(conn, actor))).await?;
    match outcome {
        Ok(message) => {
            set_flash(agent.session(), FlashKind::Success, message);
            Ok(redirect_see_other(&format!("/contacts/{id}")))
        }
        Err(ContactError::NotFound) => Err(AppError::NotFound),
        Err(ContactError::DuplicateEmail { existing_id }) => {
            set_flash(
                agent.session(),
                FlashKind::Error,
                format!("This contact cannot be restored: contact #{existing_id} now has the same email address."),
            );
            Ok(redirect_see_other(&format!("/contacts/{id}")))
        }
        Err(ContactError::MergedInto { into_id }) => {
            set_flash(
                agent.session(),
                FlashKind::Error,
                format!("This contact cannot be restored: it was merged into contact #{into_id}, which has its tickets, invitations and Help Center account."),
            );
            Ok(redirect_see_other(&format!("/contacts/{id}")))
        }
        Err(ContactError::Database(error)) => Err(error.into()),
    }
}

pub async fn mark_spam(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    change_one(agent, state, id, move |conn, actor| {
        contacts::set_spam(conn, &[id], true, actor)?;
        Ok("Marked as spam. This contact cannot be invited or sign in to the Help Center until you mark it as not spam.".to_owned())
    })
    .await
}

pub async fn unmark_spam(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    change_one(agent, state, id, move |conn, actor| {
        contacts::set_spam(conn, &[id], false, actor)?;
        Ok("Marked as not spam.".to_owned())
    })
    .await
}

pub async fn delete(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    change_one(agent, state, id, move |conn, actor| {
        contacts::delete(conn, &[id], actor)?;
        Ok(format!(
            "Contact deleted. You can restore it from Recently deleted for {RESTORE_DAYS} days."
        ))
    })
    .await
}

pub async fn restore(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    change_one(agent, state, id, move |conn, actor| {
        contacts::restore(conn, id, actor)?;
        Ok("Contact restored.".to_owned())
    })
    .await
}

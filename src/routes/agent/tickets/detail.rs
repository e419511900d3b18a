use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::audit::Actor;
use crate::auth::guard::SignedInAgent;
use crate::auth::session::{set_flash, FlashKind};
use crate::contacts::Contact;
use crate::error::AppError;
use crate::routes::chrome::Chrome;
use crate::routes::page_with_status;
use crate::routes::ticket_message::ShownMessage;
use crate::routes::{page, redirect_see_other};
use crate::state::AppState;
use crate::tickets::emails::{reply_reaches, Emailed, TicketEmail};
use crate::tickets::{conversation, Reader, StatusChange, Ticket, TicketMessage, TicketStatus};

pub const REPLY_MAX_BYTES: usize = 64 * 1024;

#[derive(Debug, Default, Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    body: String,
    /// Empty: keep the ticket's status.
    #[serde(default)]
    status: String,
    /// Set by the "Add internal note" button: for agents only, never emailed.
    #[serde(default)]
    internal: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
}

#[derive(Template)]
#[template(path = "agent/tickets/detail.html")]
struct TicketDetailPage {
    chrome: Chrome,
    ticket: Ticket,
    status: TicketStatus,
    contact: Contact,
    messages: Vec<ShownMessage>,
    emails: Vec<TicketEmail>,
    statuses: [TicketStatus; 3],
    reply: ReplyForm,
    errors: FormErrors,
    reply_max_bytes: usize,
    /// The address a reply is emailed to, or why it is not emailed.
    reply_reaches: Result<String, String>,
}

/// Each beside its own field: the reply's text, the reply's status, the status-only form.
#[derive(Debug, Default)]
pub struct FormErrors {
    pub body: Option<String>,
    pub reply_status: Option<String>,
    pub status: Option<String>,
}

impl FormErrors {
    fn any(&self) -> bool {
        self.body.is_some() || self.reply_status.is_some() || self.status.is_some()
    }
}

struct Loaded {
    ticket: Ticket,
    contact: Contact,
    messages: Vec<ShownMessage>,
    emails: Vec<TicketEmail>,
    reply_reaches: Result<String, String>,
}

async fn load(state: &web::Data<AppState>, id: i64) -> Result<Loaded, AppError> {
    state
        .db(move |conn| {
            let ticket = Ticket::find(conn, id)?;
            let contact = Contact::find(conn, ticket.contact_id)?.ok_or(AppError::NotFound)?;
            let messages = TicketMessage::thread(conn, id, Reader::Agent)?
                .into_iter()
                .map(|(message, agent_name)| {
                    let author = match (message.from_customer, agent_name) {
                        (true, _) => contact.name.clone(),
                        (false, Some(agent_name)) => agent_name,
                        (false, None) => "A former agent".to_owned(),
                    };
                    ShownMessage::new(&message, author)
                })
                .collect();
            Ok(Loaded {
                contact,
                messages,
                emails: TicketEmail::for_ticket(conn, id)?,
                reply_reaches: reply_reaches(conn, ticket.contact_id)?,
                ticket,
            })
        })
        .await
}

fn render(
    agent: &SignedInAgent,
    loaded: Loaded,
    reply: ReplyForm,
    errors: FormErrors,
) -> Result<HttpResponse, AppError> {
    let invalid = errors.any();
    let page_data = TicketDetailPage {
        chrome: agent.chrome("tickets"),
        status: loaded.ticket.status(),
        ticket: loaded.ticket,
        contact: loaded.contact,
        messages: loaded.messages,
        emails: loaded.emails,
        statuses: TicketStatus::ALL,
        reply,
        errors,
        reply_max_bytes: REPLY_MAX_BYTES,
        reply_reaches: loaded.reply_reaches,
    };
    if !invalid {
        return page(&page_data);
    }
    page_with_status(&page_data, StatusCode::UNPROCESSABLE_ENTITY)
}

pub async fn show(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let loaded = load(&state, path.into_inner()).await?;
    render(&agent, loaded, ReplyForm::default(), FormErrors::default())
}

fn parse_status(value: &str) -> Result<TicketStatus, String> {
    TicketStatus::parse(value).ok_or_else(|| "Choose one of the statuses in the list.".to_owned())
}

fn reply_body_error(body: &str) -> Option<String> {
    if body.trim().is_empty() {
        Some("Write a reply before sending it.".to_owned())
    } else if body.len() > REPLY_MAX_BYTES {
        Some(format!(
            "This reply is {} KiB; a reply can be at most {} KiB.",
            body.len().div_ceil(1024),
            REPLY_MAX_BYTES / 1024
        ))
    } else {
        None
    }
}

fn changed_message(change: StatusChange) -> String {
    format!(
        "Status changed from {} to {}.",
        change.from.label(),
        change.to.label()
    )
}

pub async fn reply(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<ReplyForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let form = form.into_inner();
    let new_status = match form.status.as_str() {
        "" => Ok(None),
        value => parse_status(value).map(Some),
    };
    let body_error = reply_body_error(&form.body);
    let new_status = match (new_status, body_error) {
        (Ok(new_status), None) => new_status,
        (new_status, body_error) => {
            let errors = FormErrors {
                body: body_error,
                reply_status: new_status.err(),
                status: None,
            };
            let loaded = load(&state, id).await?;
            return render(&agent, loaded, form, errors);
        }
    };
    let body = form.body.trim().to_owned();
    let internal = form.internal.is_some();
    let author = (agent.agent.id, agent.agent.name.clone());
    let answered = state
        .tickets(move |emails| {
            conversation::reply_as_agent(emails, id, author, &body, internal, new_status)
        })
        .await?;
    let mut message = if internal {
        "Internal note added.".to_owned()
    } else {
        "Reply sent.".to_owned()
    };
    if let Some(change) = answered.value {
        message = format!("{message} {}", changed_message(change));
    }
    flash_with_emails(&agent, message, &answered.emailed);
    Ok(redirect_see_other(&format!("/tickets/{id}")))
}

/// The flash after a step that may email the customer: who was told, why they were not, or
/// which email failed and why.
fn flash_with_emails(agent: &SignedInAgent, done: String, emailed: &[Emailed]) {
    let mut message = done;
    let mut failed = false;
    for email in emailed {
        match email {
            Emailed::Sent {
                to,
                to_customer: true,
            } => message.push_str(&format!(" Emailed to {to}.")),
            Emailed::Failed {
                to,
                to_customer: true,
                reason,
            } => {
                failed = true;
                message.push_str(&format!(
                    " The email to {to} failed: {reason}. It is listed under Emails on this ticket."
                ));
            }
            Emailed::CustomerSkipped(why) => {
                message.push_str(&format!(" Not emailed: {}.", why.reason()))
            }
            Emailed::Sent { .. } | Emailed::Failed { .. } => {}
        }
    }
    let kind = if failed {
        FlashKind::Error
    } else {
        FlashKind::Success
    };
    set_flash(agent.session(), kind, message);
}

pub async fn change_status(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<StatusForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let status = match parse_status(&form.status) {
        Ok(status) => status,
        Err(error) => {
            let loaded = load(&state, id).await?;
            let errors = FormErrors {
                status: Some(error),
                ..FormErrors::default()
            };
            return render(&agent, loaded, ReplyForm::default(), errors);
        }
    };
    let actor = Actor::Agent(agent.agent.id);
    let answered = state
        .tickets(move |emails| conversation::change_status(emails, id, status, actor))
        .await?;
    match answered.value {
        Some(change) => flash_with_emails(&agent, changed_message(change), &answered.emailed),
        None => set_flash(
            agent.session(),
            FlashKind::Info,
            format!("The ticket is already {}.", status.label()),
        ),
    }
    Ok(redirect_see_other(&format!("/tickets/{id}")))
}

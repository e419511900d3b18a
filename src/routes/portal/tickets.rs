//! A customer's own tickets: one ticket's conversation with a reply box, and a new ticket.
//! Another customer's ticket is answered exactly like one that does not exist.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{page_with_status, PortalChrome};
use crate::auth::guard::SignedInCustomer;
use crate::auth::session::{set_flash, FlashKind};
use crate::domain::one_line;
use crate::error::AppError;
use crate::routes::redirect_see_other;
use crate::routes::ticket_message::ShownMessage;
use crate::state::AppState;
use crate::tickets::{conversation, Reader, Ticket, TicketMessage, TicketStatus};

pub const MESSAGE_MAX_BYTES: usize = 64 * 1024;
const SUBJECT_MAX_CHARS: usize = 200;

#[derive(Template)]
#[template(path = "portal/ticket.html")]
struct TicketPage {
    chrome: PortalChrome,
    ticket: Ticket,
    status: TicketStatus,
    messages: Vec<ShownMessage>,
    reply: String,
    reply_error: Option<String>,
    max_bytes: usize,
}

#[derive(Template)]
#[template(path = "portal/new_ticket.html")]
struct NewTicketPage {
    chrome: PortalChrome,
    subject: String,
    message: String,
    subject_error: Option<String>,
    message_error: Option<String>,
    max_bytes: usize,
    subject_max_chars: usize,
}

#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    body: String,
}

#[derive(Deserialize)]
pub struct NewTicketForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    message: String,
}

/// What is wrong with a message, and the status that says so: 413 for too long, else 422.
fn message_problem(body: &str) -> Option<(StatusCode, String)> {
    if body.trim().is_empty() {
        Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            "Write a message before sending it.".to_owned(),
        ))
    } else if body.len() > MESSAGE_MAX_BYTES {
        Some((
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "This message is too long: shorten it by about {}% and send it again. \
                 (A message can be up to about 10,000 words.)",
                (body.len() - MESSAGE_MAX_BYTES)
                    .saturating_mul(100)
                    .div_ceil(body.len())
                    .max(1)
            ),
        ))
    } else {
        None
    }
}

async fn render_ticket(
    customer: &SignedInCustomer,
    state: &AppState,
    id: i64,
    status: StatusCode,
    reply: String,
    reply_error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let contact_id = customer.contact.id;
    let (ticket, messages) = state
        .db(move |conn| {
            let ticket = Ticket::find_for_contact(conn, id, contact_id)?;
            let messages = TicketMessage::thread(conn, id, Reader::Customer)?
                .into_iter()
                .map(|(message, agent_name)| {
                    let author = match (message.from_customer, agent_name) {
                        (true, _) => "You".to_owned(),
                        (false, Some(agent_name)) => agent_name,
                        (false, None) => "Support team".to_owned(),
                    };
                    ShownMessage::new(&message, author)
                })
                .collect::<Vec<_>>();
            Ok((ticket, messages))
        })
        .await?;
    page_with_status(
        &TicketPage {
            chrome: PortalChrome::for_customer(customer, "tickets"),
            status: ticket.status(),
            ticket,
            messages,
            reply,
            reply_error,
            max_bytes: MESSAGE_MAX_BYTES,
        },
        status,
    )
}

pub async fn show(
    customer: SignedInCustomer,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    render_ticket(&customer, &state, id, StatusCode::OK, String::new(), None).await
}

pub async fn reply(
    customer: SignedInCustomer,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<ReplyForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let body = form.into_inner().body;
    if let Some((status, error)) = message_problem(&body) {
        // A refused message is shown again only when it fits the page's own limit.
        let kept = if body.len() > MESSAGE_MAX_BYTES {
            String::new()
        } else {
            body
        };
        return render_ticket(&customer, &state, id, status, kept, Some(error)).await;
    }
    let contact_id = customer.contact.id;
    let body = body.trim().to_owned();
    let answered = state
        .tickets(move |emails| conversation::reply_as_customer(emails, id, contact_id, &body))
        .await?;
    let message = match answered.value {
        Some(_) => "Your reply has been sent, and the ticket is open again.",
        None => "Your reply has been sent.",
    };
    set_flash(customer.session(), FlashKind::Success, message);
    Ok(redirect_see_other(&format!("/portal/tickets/{id}")))
}

pub async fn new_form(customer: SignedInCustomer) -> Result<HttpResponse, AppError> {
    page_with_status(
        &NewTicketPage {
            chrome: PortalChrome::for_customer(&customer, "tickets"),
            subject: String::new(),
            message: String::new(),
            subject_error: None,
            message_error: None,
            max_bytes: MESSAGE_MAX_BYTES,
            subject_max_chars: SUBJECT_MAX_CHARS,
        },
        StatusCode::OK,
    )
}

pub async fn create(
    customer: SignedInCustomer,
    state: web::Data<AppState>,
    form: web::Form<NewTicketForm>,
) -> Result<HttpResponse, AppError> {
    let NewTicketForm { subject, message } = form.into_inner();
    let subject = one_line(&subject);
    let subject_error = if subject.is_empty() {
        Some("Enter a subject.".to_owned())
    } else if subject.chars().count() > SUBJECT_MAX_CHARS {
        Some(format!(
            "Use at most {SUBJECT_MAX_CHARS} characters for the subject."
        ))
    } else {
        None
    };
    let problem = message_problem(&message);
    if subject_error.is_some() || problem.is_some() {
        let status = problem
            .as_ref()
            .map_or(StatusCode::UNPROCESSABLE_ENTITY, |(status, _)| *status);
        let kept = if message.len() > MESSAGE_MAX_BYTES {
            String::new()
        } else {
            message
        };
        return page_with_status(
            &NewTicketPage {
                chrome: PortalChrome::for_customer(&customer, "tickets"),
                subject: subject.chars().take(SUBJECT_MAX_CHARS * 2).collect(),
                message: kept,
                subject_error,
                message_error: problem.map(|(_, error)| error),
                max_bytes: MESSAGE_MAX_BYTES,
                subject_max_chars: SUBJECT_MAX_CHARS,
            },
            status,
        );
    }
    let contact_id = customer.contact.id;
    let body = message.trim().to_owned();
    let id = state
        .tickets(move |emails| {
            conversation::submit_from_help_center(emails, contact_id, &subject, &body)
        })
        .await?
        .value;
    set_flash(
        customer.session(),
        FlashKind::Success,
        "Your ticket has been submitted. Our answer will appear on this page.",
    );
    Ok(redirect_see_other(&format!("/portal/tickets/{id}")))
}

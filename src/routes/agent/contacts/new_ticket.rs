//! "New ticket" on a contact's page: an agent logs a request that came by phone or in person,
//! in the contact's words. With auto-invite on, a contact without a Help Center account then
//! gets an invitation.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::audit::Actor;
use crate::auth::guard::SignedInAgent;
use crate::auth::session::{set_flash, FlashKind};
use crate::contacts::Contact;
use crate::error::AppError;
use crate::help_center::settings::HelpCenterSettings;
use crate::invitations::{self, RowOutcome};
use crate::routes::chrome::Chrome;
use crate::routes::page_with_status;
use crate::routes::redirect_see_other;
use crate::state::AppState;
use crate::tickets::Ticket;

const SUBJECT_MAX_CHARS: usize = 200;
const MESSAGE_MAX_CHARS: usize = 20_000;

#[derive(Debug, Default, Deserialize)]
pub struct NewTicketForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    message: String,
}

#[derive(Debug, Default)]
pub struct NewTicketErrors {
    pub subject: Option<String>,
    pub message: Option<String>,
}

#[derive(Template)]
#[template(path = "agent/contacts/new_ticket.html")]
struct NewTicketPage {
    chrome: Chrome,
    contact: Contact,
    form: NewTicketForm,
    errors: NewTicketErrors,
    auto_invite: bool,
}

impl NewTicketForm {
    fn parse(&self) -> Result<(String, String), NewTicketErrors> {
        let subject = self
            .subject
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let message = self.message.trim().to_owned();
        let mut errors = NewTicketErrors::default();
        if subject.is_empty() {
            errors.subject = Some("Enter a subject.".to_owned());
        } else if subject.chars().count() > SUBJECT_MAX_CHARS {
            errors.subject = Some(format!("Use at most {SUBJECT_MAX_CHARS} characters."));
        }
        if message.is_empty() {
            errors.message = Some("Write what the customer asked for.".to_owned());
        } else if message.chars().count() > MESSAGE_MAX_CHARS {
            errors.message = Some(format!("Use at most {MESSAGE_MAX_CHARS} characters."));
        }
        if errors.subject.is_some() || errors.message.is_some() {
            return Err(errors);
        }
        Ok((subject, message))
    }
}

async fn load(state: &web::Data<AppState>, id: i64) -> Result<(Contact, bool), AppError> {
    state
        .db(move |conn| {
            let contact = Contact::find(conn, id)?
                .filter(Contact::is_live)
                .ok_or(AppError::NotFound)?;
            Ok((contact, HelpCenterSettings::load(conn)?.auto_invite))
        })
        .await
}

fn render(page: NewTicketPage, status: StatusCode) -> Result<HttpResponse, AppError> {
    page_with_status(&page, status)
}

pub async fn form(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (contact, auto_invite) = load(&state, path.into_inner()).await?;
    render(
        NewTicketPage {
            chrome: agent.chrome("customers"),
            contact,
            form: NewTicketForm::default(),
            errors: NewTicketErrors::default(),
            auto_invite,
        },
        StatusCode::OK,
    )
}

pub async fn create(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<NewTicketForm>,
) -> Result<HttpResponse, AppError> {
    let contact_id = path.into_inner();
    let (contact, auto_invite) = load(&state, contact_id).await?;
    let form = form.into_inner();
    let (subject, message) = match form.parse() {
        Ok(valid) => valid,
        Err(errors) => {
            let page = NewTicketPage {
                chrome: agent.chrome("customers"),
                contact,
                form,
                errors,
                auto_invite,
            };
            return render(page, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let actor = Actor::Agent(agent.agent.id);
    let ticket_id = state
        .db(move |conn| {
            Ok(Ticket::open_for_customer(
                conn, actor, contact_id, &subject, &message,
            )?)
        })
        .await?;
    let mut notice = "Ticket created.".to_owned();
    // The ticket is saved whatever happens to the invitation; a failure is on the contact's page.
    match state
        .invitations(move |inviter| invitations::auto_invite_for_ticket(inviter, contact_id))
        .await
    {
        Ok(Some(result)) => match result.outcome {
            RowOutcome::Invited => notice.push_str(&format!(
                " {} was invited to the Help Center.",
                contact.name
            )),
            RowOutcome::Failed { .. } | RowOutcome::Unknown { .. } => notice.push_str(
                " The Help Center invitation may not have been sent; see the contact's page.",
            ),
            RowOutcome::Skipped(_) => {}
        },
        Ok(None) => {}
        Err(error) => tracing::warn!(%error, contact_id, "auto-invite after a new ticket failed"),
    }
    set_flash(agent.session(), FlashKind::Success, notice);
    Ok(redirect_see_other(&format!("/tickets/{ticket_id}")))
}

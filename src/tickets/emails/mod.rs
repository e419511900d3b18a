//! Emails about tickets: to the customer when an agent answers, closes or receives their
//! ticket, and to agents when a customer writes in the Help Center. Each is recorded on the
//! ticket before it is sent and its outcome after, so the ticket's history shows it, an event
//! is emailed once, and a failed send never undoes the message that caused it.

mod letters;
mod recipients;

use std::sync::Arc;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use url::Url;

use super::TicketError;
use crate::db::schema::ticket_emails;
use crate::db::{now, DbConnection, DbPool};
use crate::help_center::branding::MailBrand;
use crate::help_center::settings::HelpCenterSettings;
use crate::mail::{Mailer, OutgoingMail};

pub use letters::{Letterhead, TicketNews};
pub use recipients::{agents_to_tell, customer_to_email, AgentRecipient, NotEmailed, WhyTold};

/// What ticket emails need; cheap to clone into blocking work.
#[derive(Clone)]
pub struct TicketEmails {
    pub pool: DbPool,
    pub mailer: Arc<Mailer>,
    /// The company name emails use unless an admin set one.
    pub company: String,
    /// Links come from the configured base URL, never from a request's Host header.
    pub base_url: Url,
}

/// What an email about a ticket tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketEvent {
    /// To the customer: an agent's reply.
    Replied,
    /// To the customer: an agent's reply that also closed the ticket.
    RepliedAndClosed,
    /// To the customer: their ticket was closed.
    Closed,
    /// To the customer: the ticket they submitted in the Help Center arrived.
    Received,
    /// To agents: a new ticket from the Help Center.
    NewTicket,
    /// To agents: the customer answered in the Help Center.
    CustomerReplied,
}

impl TicketEvent {
    const ALL: [TicketEvent; 6] = [
        TicketEvent::Replied,
        TicketEvent::RepliedAndClosed,
        TicketEvent::Closed,
        TicketEvent::Received,
        TicketEvent::NewTicket,
        TicketEvent::CustomerReplied,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TicketEvent::Replied => "replied",
            TicketEvent::RepliedAndClosed => "replied_and_closed",
            TicketEvent::Closed => "closed",
            TicketEvent::Received => "received",
            TicketEvent::NewTicket => "new_ticket",
            TicketEvent::CustomerReplied => "customer_replied",
        }
    }

    fn parse(value: &str) -> Option<TicketEvent> {
        TicketEvent::ALL
            .into_iter()
            .find(|event| event.as_str() == value)
    }

    /// What the email was about, as the ticket's history says it.
    pub fn label(self) -> &'static str {
        match self {
            TicketEvent::Replied => "Agent's reply",
            TicketEvent::RepliedAndClosed => "Agent's reply, ticket closed",
            TicketEvent::Closed => "Ticket closed",
            TicketEvent::Received => "Ticket received",
            TicketEvent::NewTicket => "New Help Center ticket",
            TicketEvent::CustomerReplied => "Customer's reply",
        }
    }

    pub fn to_customer(self) -> bool {
        matches!(
            self,
            TicketEvent::Replied
                | TicketEvent::RepliedAndClosed
                | TicketEvent::Closed
                | TicketEvent::Received
        )
    }
}

const SENDING: &str = "sending";
const SENT: &str = "sent";
const FAILED: &str = "failed";

/// One email in a ticket's history.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ticket_emails)]
pub struct TicketEmail {
    pub id: i64,
    pub ticket_id: i64,
    pub event: String,
    pub recipient: String,
    pub outcome: String,
    pub error: Option<String>,
    pub created_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
}

impl TicketEmail {
    pub fn for_ticket(conn: &mut DbConnection, ticket_id: i64) -> QueryResult<Vec<TicketEmail>> {
        ticket_emails::table
            .filter(ticket_emails::ticket_id.eq(ticket_id))
            .order(ticket_emails::id.asc())
            .select(TicketEmail::as_select())
            .load(conn)
    }

    pub fn about(&self) -> &'static str {
        TicketEvent::parse(&self.event).map_or("Email", TicketEvent::label)
    }

    /// "Sent", "Failed: <the SMTP server's reason>", or "Delivery unknown" for one whose
    /// sender stopped before it heard back.
    pub fn outcome_shown(&self) -> String {
        match (self.outcome.as_str(), &self.error) {
            (SENT, _) => "Sent".to_owned(),
            (FAILED, Some(error)) => format!("Failed: {error}"),
            (FAILED, None) => "Failed".to_owned(),
            _ => "Delivery unknown".to_owned(),
        }
    }

    pub fn failed(&self) -> bool {
        self.outcome != SENT
    }
}

/// What became of one email, for the page that caused it.
#[derive(Debug, Clone)]
pub enum Emailed {
    /// Handed to the mail server.
    Sent { to: String, to_customer: bool },
    /// Not sent, with the SMTP server's reason.
    Failed {
        to: String,
        to_customer: bool,
        reason: String,
    },
    /// The customer would have been told, but may not be emailed.
    CustomerSkipped(NotEmailed),
}

/// Who an agent's reply on a ticket would reach by email, for the reply form.
pub fn reply_reaches(
    conn: &mut DbConnection,
    contact_id: i64,
) -> QueryResult<Result<String, String>> {
    if !HelpCenterSettings::load(conn)?.customer_emails.on_reply {
        return Ok(Err(
            "emails about replies are turned off in Settings → Help Center".to_owned(),
        ));
    }
    Ok(customer_to_email(conn, contact_id)?
        .map(|(_, address)| address.as_str().to_owned())
        .map_err(|why| why.reason().to_owned()))
}

impl TicketEmails {
    /// The company name, logo and links every ticket email carries.
    pub fn letterhead(&self, settings: &HelpCenterSettings) -> Letterhead {
        let base_url = self.base_url.as_str().trim_end_matches('/');
        let company = settings
            .company_name
            .clone()
            .filter(|name| !name.trim().is_empty())
            .unwrap_or_else(|| self.company.clone());
        Letterhead {
            brand: MailBrand::of(&settings.branding, &company, base_url),
            company,
            base_url: base_url.to_owned(),
        }
    }

    /// Records each email on the ticket, sends them one after the other, and records how each
    /// went. No connection is held while the SMTP server answers.
    pub fn send(
        &self,
        ticket_id: i64,
        event: TicketEvent,
        mails: Vec<OutgoingMail>,
    ) -> Result<Vec<Emailed>, TicketError> {
        if mails.is_empty() {
            return Ok(Vec::new());
        }
        let ids = {
            let mut conn = self.pool.get()?;
            let created_at = now();
            mails
                .iter()
                .map(|mail| {
                    diesel::insert_into(ticket_emails::table)
                        .values((
                            ticket_emails::ticket_id.eq(ticket_id),
                            ticket_emails::event.eq(event.as_str()),
                            ticket_emails::recipient.eq(mail.to.as_str()),
                            ticket_emails::outcome.eq(SENDING),
                            ticket_emails::created_at.eq(created_at),
                        ))
                        .returning(ticket_emails::id)
                        .get_result::<i64>(&mut conn)
                })
                .collect::<QueryResult<Vec<i64>>>()?
        };
        let results: Vec<Option<String>> = mails
            .iter()
            .map(|mail| match self.mailer.send(mail) {
                Ok(_) => None,
                Err(error) => {
                    tracing::warn!(%error, ticket_id, event = event.as_str(), "a ticket email was not sent");
                    Some(error.to_string())
                }
            })
            .collect();
        let mut conn = self.pool.get()?;
        let finished_at = now();
        for (id, failure) in ids.iter().zip(&results) {
            diesel::update(ticket_emails::table.find(id))
                .set((
                    ticket_emails::outcome.eq(if failure.is_some() { FAILED } else { SENT }),
                    ticket_emails::error.eq(failure),
                    ticket_emails::finished_at.eq(finished_at),
                ))
                .execute(&mut conn)?;
        }
        let to_customer = event.to_customer();
        Ok(mails
            .into_iter()
            .zip(results)
            .map(|(mail, failure)| {
                let to = mail.to.as_str().to_owned();
                match failure {
                    None => Emailed::Sent { to, to_customer },
                    Some(reason) => Emailed::Failed {
                        to,
                        to_customer,
                        reason,
                    },
                }
            })
            .collect())
    }
}

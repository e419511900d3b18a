//! Who hears of a ticket's news by email.

use diesel::prelude::*;

use crate::agents::Agent;
use crate::contacts::Contact;
use crate::db::schema::{agents, ticket_messages};
use crate::db::DbConnection;
use crate::domain::EmailAddress;
use crate::help_center::accounts::PortalAccount;

/// Why a ticket's customer is not emailed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotEmailed {
    NoAddress,
    Spam,
    Deleted,
    Deactivated,
}

impl NotEmailed {
    pub fn reason(self) -> &'static str {
        match self {
            NotEmailed::NoAddress => "the contact has no email address",
            NotEmailed::Spam => "the contact is marked as spam",
            NotEmailed::Deleted => "the contact is deleted",
            NotEmailed::Deactivated => "the contact's Help Center access is deactivated",
        }
    }
}

/// The ticket's customer and their address, or why they may not be emailed. A contact
/// without a Help Center account still hears the answer (its link asks them to sign in).
pub fn customer_to_email(
    conn: &mut DbConnection,
    contact_id: i64,
) -> QueryResult<Result<(Contact, EmailAddress), NotEmailed>> {
    let Some(contact) = Contact::find(conn, contact_id)? else {
        return Ok(Err(NotEmailed::Deleted));
    };
    if contact.deleted_at.is_some() {
        return Ok(Err(NotEmailed::Deleted));
    }
    if contact.is_spam {
        return Ok(Err(NotEmailed::Spam));
    }
    let Some(address) = contact
        .email
        .as_deref()
        .and_then(|email| EmailAddress::parse(email).ok())
    else {
        return Ok(Err(NotEmailed::NoAddress));
    };
    let deactivated = PortalAccount::for_contact(conn, contact_id)?
        .is_some_and(|account| account.deactivated_at.is_some());
    if deactivated {
        return Ok(Err(NotEmailed::Deactivated));
    }
    Ok(Ok((contact, address)))
}

/// Why an agent gets an email about a customer's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhyTold {
    /// They answered the ticket last.
    TheirTicket,
    /// No agent has answered it, and they asked in their profile.
    OptedIn,
}

pub struct AgentRecipient {
    pub name: String,
    pub address: EmailAddress,
    pub why: WhyTold,
}

/// The ticket's agent (the last one to answer it, while still enabled), else every enabled
/// agent who asked to hear of unanswered Help Center tickets.
pub fn agents_to_tell(conn: &mut DbConnection, ticket_id: i64) -> QueryResult<Vec<AgentRecipient>> {
    let last_to_answer: Option<Agent> = ticket_messages::table
        .inner_join(agents::table.on(ticket_messages::author_agent_id.eq(agents::id.nullable())))
        .filter(ticket_messages::ticket_id.eq(ticket_id))
        .order((
            ticket_messages::created_at.desc(),
            ticket_messages::id.desc(),
        ))
        .select(Agent::as_select())
        .first(conn)
        .optional()?;
    let (chosen, why) = match last_to_answer.filter(|agent| !agent.is_disabled()) {
        Some(agent) => (vec![agent], WhyTold::TheirTicket),
        None => (
            agents::table
                .filter(agents::notify_new_tickets.eq(true))
                .filter(agents::disabled_at.is_null())
                .order(agents::id.asc())
                .select(Agent::as_select())
                .load(conn)?,
            WhyTold::OptedIn,
        ),
    };
    Ok(chosen
        .into_iter()
        .filter_map(|agent| {
            let address = EmailAddress::parse(&agent.email).ok()?;
            Some(AgentRecipient {
                name: agent.name,
                address,
                why,
            })
        })
        .collect())
}

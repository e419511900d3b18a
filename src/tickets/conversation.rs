//! What agents and customers do on a ticket, and who hears of it by email: each step saves
//! the message first, then sends; a failed email is recorded and never undoes the message.

use super::emails::{
    agents_to_tell, customer_to_email, Emailed, TicketEmails, TicketEvent, TicketNews,
};
use super::{StatusChange, Ticket, TicketError, TicketStatus};
use crate::audit::Actor;
use crate::db::DbConnection;
use crate::help_center::settings::HelpCenterSettings;
use crate::mail::OutgoingMail;

/// What a step changed, and the emails it sent.
#[derive(Debug)]
pub struct Answered<T> {
    pub value: T,
    pub emailed: Vec<Emailed>,
}

/// An agent's reply (or internal note), with the status they chose. The customer hears of a
/// public reply, or of their ticket being closed, unless Settings turn that email off.
pub fn reply_as_agent(
    emails: &TicketEmails,
    ticket_id: i64,
    agent: (i64, String),
    body: &str,
    internal: bool,
    new_status: Option<TicketStatus>,
) -> Result<Answered<Option<StatusChange>>, TicketError> {
    let mut conn = emails.pool.get()?;
    let change =
        Ticket::add_agent_reply(&mut conn, ticket_id, agent.0, body, internal, new_status)?;
    let settings = HelpCenterSettings::load(&mut conn)?;
    let closed = change.is_some_and(|change| change.to == TicketStatus::Closed);
    let wanted = settings.customer_emails;
    let event = match (internal, closed) {
        (false, false) if wanted.on_reply => Some(TicketEvent::Replied),
        (false, true) if wanted.on_reply => Some(TicketEvent::RepliedAndClosed),
        (_, true) if wanted.on_closed => Some(TicketEvent::Closed),
        _ => None,
    };
    let message = (!internal).then_some(body);
    let emailed = match event {
        Some(event) => tell_customer(
            emails,
            conn,
            &settings,
            ticket_id,
            event,
            Some(&agent.1),
            message,
        )?,
        None => Vec::new(),
    };
    Ok(Answered {
        value: change,
        emailed,
    })
}

/// A status chosen on its own; closing the ticket tells the customer.
pub fn change_status(
    emails: &TicketEmails,
    ticket_id: i64,
    status: TicketStatus,
    actor: Actor,
) -> Result<Answered<Option<StatusChange>>, TicketError> {
    let mut conn = emails.pool.get()?;
    let change = Ticket::change_status(&mut conn, ticket_id, status, actor)?;
    let settings = HelpCenterSettings::load(&mut conn)?;
    let closed = change.is_some_and(|change| change.to == TicketStatus::Closed);
    let emailed = if closed && settings.customer_emails.on_closed {
        tell_customer(
            emails,
            conn,
            &settings,
            ticket_id,
            TicketEvent::Closed,
            None,
            None,
        )?
    } else {
        Vec::new()
    };
    Ok(Answered {
        value: change,
        emailed,
    })
}

/// A customer's new ticket from the Help Center: acknowledged to them, told to agents.
pub fn submit_from_help_center(
    emails: &TicketEmails,
    contact_id: i64,
    subject: &str,
    body: &str,
) -> Result<Answered<i64>, TicketError> {
    let mut conn = emails.pool.get()?;
    let ticket_id = Ticket::open_for_customer(
        &mut conn,
        Actor::Contact(contact_id),
        contact_id,
        subject,
        body,
    )?;
    let settings = HelpCenterSettings::load(&mut conn)?;
    let mut emailed = if settings.customer_emails.on_received {
        tell_customer(
            emails,
            conn,
            &settings,
            ticket_id,
            TicketEvent::Received,
            None,
            Some(body),
        )?
    } else {
        drop(conn);
        Vec::new()
    };
    emailed.extend(tell_agents(
        emails,
        &settings,
        ticket_id,
        TicketEvent::NewTicket,
        body,
        false,
    )?);
    Ok(Answered {
        value: ticket_id,
        emailed,
    })
}

/// A customer's answer in the Help Center, told to the ticket's agent.
pub fn reply_as_customer(
    emails: &TicketEmails,
    ticket_id: i64,
    contact_id: i64,
    body: &str,
) -> Result<Answered<Option<StatusChange>>, TicketError> {
    let mut conn = emails.pool.get()?;
    let change = Ticket::add_customer_reply(&mut conn, ticket_id, contact_id, body)?;
    let settings = HelpCenterSettings::load(&mut conn)?;
    drop(conn);
    let emailed = tell_agents(
        emails,
        &settings,
        ticket_id,
        TicketEvent::CustomerReplied,
        body,
        change.is_some(),
    )?;
    Ok(Answered {
        value: change,
        emailed,
    })
}

fn tell_customer(
    emails: &TicketEmails,
    mut conn: impl std::ops::DerefMut<Target = DbConnection>,
    settings: &HelpCenterSettings,
    ticket_id: i64,
    event: TicketEvent,
    agent_name: Option<&str>,
    message: Option<&str>,
) -> Result<Vec<Emailed>, TicketError> {
    let ticket = Ticket::find(&mut conn, ticket_id)?;
    let (contact, address) = match customer_to_email(&mut conn, ticket.contact_id)? {
        Ok(found) => found,
        Err(why) => return Ok(vec![Emailed::CustomerSkipped(why)]),
    };
    drop(conn);
    let news = TicketNews {
        ticket_id,
        subject: &ticket.subject,
        customer_name: &contact.name,
        customer_email: contact.email.as_deref(),
        agent_name,
        message,
        reopened: false,
    };
    let mail = emails
        .letterhead(settings)
        .to_customer(event, &news, &address)
        .map_err(TicketError::from)?;
    emails.send(ticket_id, event, mail.into_iter().collect())
}

fn tell_agents(
    emails: &TicketEmails,
    settings: &HelpCenterSettings,
    ticket_id: i64,
    event: TicketEvent,
    message: &str,
    reopened: bool,
) -> Result<Vec<Emailed>, TicketError> {
    let mut conn = emails.pool.get()?;
    let ticket = Ticket::find(&mut conn, ticket_id)?;
    let contact = crate::contacts::Contact::find(&mut conn, ticket.contact_id)?;
    let agents = agents_to_tell(&mut conn, ticket_id)?;
    drop(conn);
    let (customer_name, customer_email) =
        contact.as_ref().map_or(("A customer", None), |contact| {
            (contact.name.as_str(), contact.email.as_deref())
        });
    let news = TicketNews {
        ticket_id,
        subject: &ticket.subject,
        customer_name,
        customer_email,
        agent_name: None,
        message: Some(message),
        reopened,
    };
    let letterhead = emails.letterhead(settings);
    let mails = agents
        .iter()
        .map(|agent| letterhead.to_agent(event, &news, agent))
        .collect::<askama::Result<Vec<OutgoingMail>>>()?;
    emails.send(ticket_id, event, mails)
}

//! The words of each ticket email, text and HTML from one pair of templates.

use askama::Template;

use super::recipients::{AgentRecipient, WhyTold};
use super::TicketEvent;
use crate::domain::{paragraphs, EmailAddress};
use crate::help_center::branding::MailBrand;
use crate::mail::OutgoingMail;

/// What every ticket email carries: the company customers know, and where links point.
#[derive(Debug, Clone)]
pub struct Letterhead {
    pub company: String,
    /// The configured base URL without its trailing slash.
    pub base_url: String,
    /// The Help Center's brand, on emails to customers.
    pub brand: MailBrand,
}

/// The ticket an email is about, and the message that made the news (if any).
pub struct TicketNews<'a> {
    pub ticket_id: i64,
    pub subject: &'a str,
    pub customer_name: &'a str,
    pub customer_email: Option<&'a str>,
    /// The agent who answered, for the customer's email.
    pub agent_name: Option<&'a str>,
    pub message: Option<&'a str>,
    /// The customer's message opened a closed ticket again.
    pub reopened: bool,
}

struct Letter<'a> {
    /// Sender name, logo and accent: the Help Center's for customers, Portico's for agents.
    brand: &'a MailBrand,
    greeting: String,
    lead: String,
    message: Vec<Vec<String>>,
    action: &'static str,
    link: String,
    notes: Vec<String>,
    signature: String,
}

#[derive(Template)]
#[template(path = "mail/ticket.txt", escape = "none")]
struct LetterText<'a> {
    letter: &'a Letter<'a>,
}

#[derive(Template)]
#[template(path = "mail/ticket.html")]
struct LetterHtml<'a> {
    brand: &'a MailBrand,
    letter: &'a Letter<'a>,
}

const ANSWER_THERE: &str =
    "To answer, use the Help Center: your answer is then kept with the ticket.";
const REOPEN_THERE: &str =
    "If you still need help, answer the ticket in the Help Center and it opens again.";

impl Letterhead {
    /// The customer's email about `event`, or `None` for an event that is told to agents.
    pub fn to_customer(
        &self,
        event: TicketEvent,
        news: &TicketNews,
        to: &EmailAddress,
    ) -> askama::Result<Option<OutgoingMail>> {
        let subject = news.subject;
        let agent = news.agent_name.unwrap_or("Our support team");
        let (subject_line, lead, notes) = match event {
            TicketEvent::Replied => (
                format!("Re: {subject}"),
                format!("{agent} replied to your ticket “{subject}”:"),
                vec![ANSWER_THERE.to_owned()],
            ),
            TicketEvent::RepliedAndClosed => (
                format!("Re: {subject}"),
                format!("{agent} replied to your ticket “{subject}” and closed it:"),
                vec![REOPEN_THERE.to_owned()],
            ),
            TicketEvent::Closed => (
                format!("Closed: {subject}"),
                format!("Your ticket “{subject}” is now closed."),
                vec![REOPEN_THERE.to_owned()],
            ),
            TicketEvent::Received => (
                format!("Received: {subject}"),
                format!(
                    "Thank you: we have your ticket “{subject}”. Our answer will appear in the {} Help Center.",
                    self.company
                ),
                vec!["You can follow its status there at any time.".to_owned()],
            ),
            TicketEvent::NewTicket | TicketEvent::CustomerReplied => return Ok(None),
        };
        let letter = Letter {
            brand: &self.brand,
            greeting: format!("Hello {},", news.customer_name),
            lead,
            message: news.message.map(paragraphs).unwrap_or_default(),
            action: "View your ticket",
            link: format!("{}/portal/tickets/{}", self.base_url, news.ticket_id),
            notes,
            signature: format!("— {} support", self.company),
        };
        self.compose(
            to,
            Some(news.customer_name),
            &self.numbered(news.ticket_id, &subject_line),
            &letter,
        )
        .map(Some)
    }

    /// An agent's email about the customer's new ticket or answer.
    pub fn to_agent(
        &self,
        event: TicketEvent,
        news: &TicketNews,
        agent: &AgentRecipient,
    ) -> askama::Result<OutgoingMail> {
        let customer = match news.customer_email {
            Some(email) => format!("{} ({email})", news.customer_name),
            None => news.customer_name.to_owned(),
        };
        let subject = news.subject;
        let (subject_line, lead) = match event {
            TicketEvent::NewTicket => (
                format!("New Help Center ticket: {subject}"),
                format!("{customer} submitted a ticket in the Help Center, “{subject}”:"),
            ),
            _ if news.reopened => (
                format!("{} replied: {subject}", news.customer_name),
                format!(
                    "{customer} replied to “{subject}” in the Help Center, which opened it again:"
                ),
            ),
            _ => (
                format!("{} replied: {subject}", news.customer_name),
                format!("{customer} replied to “{subject}” in the Help Center:"),
            ),
        };
        let why = match agent.why {
            WhyTold::TheirTicket => "You get this email because you answered this ticket last.",
            WhyTold::OptedIn => {
                "You get this email because no agent has answered this ticket yet and your profile asks for new Help Center tickets."
            }
        };
        let plain = MailBrand::default();
        let letter = Letter {
            brand: &plain,
            greeting: format!("Hello {},", agent.name),
            lead,
            message: news.message.map(paragraphs).unwrap_or_default(),
            action: "Open the ticket",
            link: format!("{}/tickets/{}", self.base_url, news.ticket_id),
            notes: vec![why.to_owned()],
            signature: "— Portico".to_owned(),
        };
        self.compose(
            &agent.address,
            Some(&agent.name),
            &self.numbered(news.ticket_id, &subject_line),
            &letter,
        )
    }

    /// "[#42] Re: Printer on fire": the number keeps one ticket's emails together.
    fn numbered(&self, ticket_id: i64, subject: &str) -> String {
        format!("[#{ticket_id}] {subject}")
    }

    fn compose(
        &self,
        to: &EmailAddress,
        to_name: Option<&str>,
        subject: &str,
        letter: &Letter,
    ) -> askama::Result<OutgoingMail> {
        Ok(OutgoingMail {
            to: to.clone(),
            to_name: to_name.map(str::to_owned),
            from_name: letter.brand.sender_name.clone(),
            subject: subject.to_owned(),
            text: LetterText { letter }.render()?,
            html: LetterHtml {
                brand: letter.brand,
                letter,
            }
            .render()?,
        })
    }
}

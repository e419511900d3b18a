//! A ticket's message as both wings show it; only who wrote it is named differently.

use crate::domain::paragraphs;
use crate::tickets::TicketMessage;

pub struct ShownMessage {
    pub from_customer: bool,
    /// An agents-only note: never shown in the Help Center.
    pub internal: bool,
    pub author: String,
    pub sent_at: chrono::NaiveDateTime,
    /// Blank lines separate paragraphs; single line breaks are kept within one.
    pub paragraphs: Vec<Vec<String>>,
}

impl ShownMessage {
    pub fn new(message: &TicketMessage, author: String) -> ShownMessage {
        ShownMessage {
            from_customer: message.from_customer,
            internal: message.internal,
            author,
            sent_at: message.created_at,
            paragraphs: paragraphs(&message.body),
        }
    }
}

//! A ticket's message as both wings show it; only who wrote it is named differently.

use crate::tickets::TicketMessage;

pub struct ShownMessage {
    pub from_customer: bool,
    pub author: String,
    pub sent_at: chrono::NaiveDateTime,
    /// Blank lines separate paragraphs; single line breaks are kept within one.
    pub paragraphs: Vec<Vec<String>>,
}

impl ShownMessage {
    pub fn new(message: &TicketMessage, author: String) -> ShownMessage {
        let normalized = message.body.replace("\r\n", "\n");
        ShownMessage {
            from_customer: message.from_customer,
            author,
            sent_at: message.created_at,
            paragraphs: normalized
                .split("\n\n")
                .map(str::trim)
                .filter(|paragraph| !paragraph.is_empty())
                .map(|paragraph| paragraph.lines().map(str::to_owned).collect())
                .collect(),
        }
    }
}

//! Outgoing mail: SMTP through pooled connections, or .eml files in an outbox folder when no
//! SMTP server is configured, so nothing is lost in development.

mod outbox;
mod session;
mod smtp;

use std::path::PathBuf;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use lettre::message::{Mailbox, MultiPart};
use lettre::Message;
use rand::RngCore;

pub use outbox::Outbox;
pub use smtp::{SmtpMailer, SmtpSettings};

use crate::domain::EmailAddress;

pub struct OutgoingMail {
    pub to: EmailAddress,
    pub to_name: Option<String>,
    /// The sender's display name when not the configured one's; the address never changes.
    pub from_name: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What a successful send leaves behind for the record.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub message_id: String,
    /// The server's reply ("250 2.0.0 queued as ..."), or where the outbox file was written.
    pub receipt: String,
    pub outbox_file: Option<PathBuf>,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum MailError {
    /// Worth retrying later: a 4xx reply, a timeout, a refused or dropped connection.
    #[error("{message}")]
    Transient { code: Option<u16>, message: String },
    /// The server refused for good (5xx): retrying the same message will not help.
    #[error("{message}")]
    Permanent { code: Option<u16>, message: String },
    /// The whole message was handed over but the server never confirmed it (a timeout or a
    /// dropped connection while waiting for its reply): it may have arrived, so sending it
    /// again may send it twice.
    #[error("{message}")]
    Unconfirmed { message: String },
    #[error("the message could not be built: {0}")]
    Build(String),
}

impl MailError {
    pub fn code(&self) -> Option<u16> {
        match self {
            MailError::Transient { code, .. } | MailError::Permanent { code, .. } => *code,
            MailError::Unconfirmed { .. } | MailError::Build(_) => None,
        }
    }

    pub fn is_permanent(&self) -> bool {
        matches!(self, MailError::Permanent { .. } | MailError::Build(_))
    }
}

pub enum Mailer {
    Smtp(SmtpMailer),
    Outbox(Outbox),
}

impl Mailer {
    pub fn from_address(&self) -> &Mailbox {
        match self {
            Mailer::Smtp(smtp) => smtp.from_address(),
            Mailer::Outbox(outbox) => outbox.from_address(),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Mailer::Smtp(smtp) => format!("SMTP server {}", smtp.server()),
            Mailer::Outbox(outbox) => format!("outbox folder {}", outbox.folder().display()),
        }
    }

    /// The SMTP pool's connections open, idle and allowed; none for the outbox.
    pub fn pool_state(&self) -> Option<(usize, usize, usize)> {
        match self {
            Mailer::Smtp(smtp) => Some(smtp.pool_state()),
            Mailer::Outbox(_) => None,
        }
    }

    /// Sends one message synchronously; call it off the async workers.
    pub fn send(&self, mail: &OutgoingMail) -> Result<Delivery, MailError> {
        let started = std::time::Instant::now();
        let sent = self.send_now(mail);
        let outcome = match &sent {
            Ok(_) => "sent",
            Err(MailError::Transient { .. }) => "transient_failure",
            Err(MailError::Permanent { .. }) => "permanent_failure",
            Err(MailError::Unconfirmed { .. }) => "unconfirmed",
            Err(MailError::Build(_)) => "not_built",
        };
        metrics::counter!("portico_smtp_sends_total", "outcome" => outcome).increment(1);
        metrics::histogram!("portico_smtp_send_duration_seconds")
            .record(started.elapsed().as_secs_f64());
        sent
    }

    fn send_now(&self, mail: &OutgoingMail) -> Result<Delivery, MailError> {
        let message_id = new_message_id(self.from_address());
        let message = build_message(self.from_address(), mail, &message_id)?;
        match self {
            Mailer::Smtp(smtp) => smtp.send(&message, mail.to.as_str(), message_id),
            Mailer::Outbox(outbox) => outbox.write(&message, message_id),
        }
    }
}

fn new_message_id(from: &Mailbox) -> String {
    let mut bytes = [0u8; 18];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!(
        "<{}@{}>",
        URL_SAFE_NO_PAD.encode(bytes),
        from.email.domain()
    )
}

fn build_message(
    from: &Mailbox,
    mail: &OutgoingMail,
    message_id: &str,
) -> Result<Message, MailError> {
    let to_address = mail
        .to
        .as_str()
        .parse()
        .map_err(|error: lettre::address::AddressError| MailError::Build(error.to_string()))?;
    let to = Mailbox::new(mail.to_name.clone(), to_address);
    let from = match &mail.from_name {
        Some(name) => Mailbox::new(Some(name.clone()), from.email.clone()),
        None => from.clone(),
    };
    Message::builder()
        .from(from)
        .to(to)
        .subject(mail.subject.clone())
        .message_id(Some(message_id.to_owned()))
        .date_now()
        .multipart(MultiPart::alternative_plain_html(
            mail.text.clone(),
            mail.html.clone(),
        ))
        .map_err(|error| MailError::Build(error.to_string()))
}

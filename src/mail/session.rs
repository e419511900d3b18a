//! One message over one SMTP session: the envelope, then the dot-stuffed content and its
//! terminator in a single write, so the server's delayed ACK never stalls it.

use std::fmt;

use lettre::transport::smtp::client::SmtpConnection;
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{MailBodyParameter, MailParameter};
use lettre::Message;

use super::MailError;

/// Why a message was not sent, and whether that happened before its content was written
/// (so that the server cannot have taken it).
pub(super) struct SendFailure {
    pub error: MailError,
    pub before_payload: bool,
}

pub(super) fn transmit(
    conn: &mut SmtpConnection,
    message: &Message,
    recipient: &str,
) -> Result<String, SendFailure> {
    let before_payload = |error: MailError| SendFailure {
        error,
        before_payload: true,
    };
    let formatted = message.formatted();
    let from = message.envelope().from().cloned();
    let mut parameters = Vec::new();
    if !formatted.is_ascii() {
        parameters.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    let recipient = recipient
        .parse()
        .map_err(|error: lettre::address::AddressError| {
            before_payload(MailError::Permanent {
                code: None,
                message: error.to_string(),
            })
        })?;
    conn.command(Mail::new(from, parameters))
        .map_err(|error| before_payload(classify(error)))?;
    conn.command(Rcpt::new(recipient, vec![]))
        .map_err(|error| before_payload(classify(error)))?;
    conn.command(Data)
        .map_err(|error| before_payload(classify(error)))?;
    let reply = conn
        .command(DataPayload(dot_stuffed(&formatted)))
        .map_err(|error| SendFailure {
            error: match classify(error) {
                // No reply at all after the content left: nobody knows whether it arrived.
                MailError::Transient {
                    code: None,
                    message,
                } => MailError::Unconfirmed {
                    message: format!("no reply after the message was sent ({message})"),
                },
                replied => replied,
            },
            before_payload: false,
        })?;
    Ok(format!(
        "{} {}",
        reply.code(),
        reply.message().collect::<Vec<_>>().join(" ")
    ))
}

/// The message with SMTP transparency applied (RFC 5321 §4.5.2) and the terminating
/// "<CRLF>.<CRLF>", written as one command so it leaves in one write.
struct DataPayload(String);

impl fmt::Display for DataPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)?;
        f.write_str("\r\n.\r\n")
    }
}

fn dot_stuffed(message: &[u8]) -> String {
    let text = String::from_utf8_lossy(message);
    let mut stuffed = String::with_capacity(text.len() + 64);
    for (index, line) in text.split("\r\n").enumerate() {
        if index > 0 {
            stuffed.push_str("\r\n");
        }
        if line.starts_with('.') {
            stuffed.push('.');
        }
        stuffed.push_str(line);
    }
    stuffed
}

pub(super) fn classify(error: lettre::transport::smtp::Error) -> MailError {
    let code = error
        .status()
        .and_then(|code| code.to_string().parse::<u16>().ok());
    let message = error.to_string();
    if error.is_permanent() {
        MailError::Permanent { code, message }
    } else {
        MailError::Transient { code, message }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_starting_with_a_dot_are_stuffed() {
        assert_eq!(
            dot_stuffed(b".start\r\nmid.dle\r\n.\r\nend"),
            "..start\r\nmid.dle\r\n..\r\nend"
        );
    }
}

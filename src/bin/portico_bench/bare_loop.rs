//! P4's baseline: the same kind of messages the app sends, over one SMTP connection, with
//! nothing else to do. The messages are built first, the way the app builds an invitation
//! (its askama templates, lettre's builder, a fresh link token each), so only the sending is
//! timed: per message MAIL, RCPT and DATA, each one write, then the dot-stuffed message and its
//! terminator in one more write, as the app's mailer does.

use std::fmt;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::client::SmtpConnection;
use lettre::transport::smtp::commands::{Data, Mail, Quit, Rcpt};
use lettre::transport::smtp::extension::{ClientId, MailBodyParameter, MailParameter};
use lettre::{Address, Message};
use rand::RngCore;
use url::Url;

use portico::domain::{EmailAddress, LinkToken};
use portico::invitations::InvitationEmail;

/// PORTICO_MAIL_FROM's default, which the benchmark's server uses too.
const FROM: &str = "Portico Help Center <help@portico.test>";
const COMPANY: &str = "Portico";
const INVITER: &str = "Bench Admin";

struct Prepared {
    from: Option<Address>,
    to: Address,
    eight_bit: bool,
    payload: String,
}

pub fn run(port: u16, count: usize, base_url: &str) -> anyhow::Result<Duration> {
    let messages = (0..count)
        .map(|number| prepare(number, base_url))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let started = Instant::now();
    let mut conn = SmtpConnection::connect(
        ("127.0.0.1", port),
        Some(Duration::from_secs(10)),
        &ClientId::default(),
        None,
        None,
    )
    .context("connecting to the SMTP sink")?;
    for message in &messages {
        let parameters = if message.eight_bit {
            vec![MailParameter::Body(MailBodyParameter::EightBitMime)]
        } else {
            Vec::new()
        };
        conn.command(Mail::new(message.from.clone(), parameters))?;
        conn.command(Rcpt::new(message.to.clone(), vec![]))?;
        conn.command(Data)?;
        conn.command(DataPayload(&message.payload))?;
    }
    let elapsed = started.elapsed();
    conn.command(Quit)?;
    Ok(elapsed)
}

fn prepare(number: usize, base_url: &str) -> anyhow::Result<Prepared> {
    let letter = InvitationEmail {
        company: COMPANY.to_owned(),
        base_url: Url::parse(base_url).context("--base-url")?,
    };
    let name = format!("Bench Contact {number}");
    let to = EmailAddress::parse(&format!("bench.contact.{number}@acme-bench.example"))
        .map_err(|error| anyhow!("{error}"))?;
    let expires = chrono::Utc::now().naive_utc() + chrono::Duration::days(7);
    let link = letter.link(&LinkToken::generate());
    let mail = letter.compose(&to, &name, Some(INVITER), &link, expires)?;
    let from: Mailbox = FROM.parse()?;
    let message = Message::builder()
        .from(from.clone())
        .to(Mailbox::new(
            mail.to_name.clone(),
            mail.to.as_str().parse()?,
        ))
        .subject(mail.subject.clone())
        .message_id(Some(message_id(&from)))
        .date_now()
        .multipart(MultiPart::alternative_plain_html(mail.text, mail.html))?;
    let formatted = message.formatted();
    Ok(Prepared {
        from: message.envelope().from().cloned(),
        to: mail.to.as_str().parse()?,
        eight_bit: !formatted.is_ascii(),
        payload: dot_stuffed(&formatted),
    })
}

fn message_id(from: &Mailbox) -> String {
    let mut bytes = [0u8; 18];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!(
        "<{}@{}>",
        URL_SAFE_NO_PAD.encode(bytes),
        from.email.domain()
    )
}

/// The message and "<CRLF>.<CRLF>" as one command, so they leave in one write.
struct DataPayload<'a>(&'a str);

impl fmt::Display for DataPayload<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)?;
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

//! SMTP delivery on lettre's `SmtpConnection`, with connections kept open in a small pool.
//!
//! The dot-stuffed body and its closing "." go out in one write: lettre's `SmtpTransport` sends
//! them in two with Nagle's algorithm on, so each message waited for the server's delayed ACK
//! (target: P4, the SMTP one-write).

use std::fmt;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::Rset;
use lettre::transport::smtp::extension::ClientId;
use lettre::Message;
use secrecy::{ExposeSecret, SecretString};

use super::session::{classify, transmit};
use super::{Delivery, MailError};

const TIMEOUT: Duration = Duration::from_secs(10);
/// A connection idle for less than this is used without a NOOP first: servers keep an idle
/// session for minutes (RFC 5321 §4.5.3.2 asks for at least five), and during a mass invite
/// the NOOP would add a round trip to every message.
const TRUSTED_IDLE: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain text (a relay on localhost, a test server).
    None,
    /// Upgrade with STARTTLS, and refuse to send if the server cannot.
    StartTls,
    /// TLS from the first byte (smtps, usually port 465).
    Implicit,
}

#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub credentials: Option<(String, SecretString)>,
}

impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{} ({:?})", self.host, self.port, self.tls)
    }
}

impl SmtpSettings {
    /// smtp://host:port, smtp://user:pass@host:587?tls=starttls, smtps://user:pass@host:465.
    pub fn parse(url: &str) -> Result<SmtpSettings, String> {
        let url = url::Url::parse(url)
            .map_err(|error| format!("PORTICO_SMTP_URL is not a URL: {error}"))?;
        let starttls = url
            .query_pairs()
            .any(|(key, value)| key == "tls" && value.eq_ignore_ascii_case("starttls"));
        let (tls, default_port) = match (url.scheme(), starttls) {
            ("smtps", _) => (TlsMode::Implicit, 465),
            ("smtp", true) => (TlsMode::StartTls, 587),
            ("smtp", false) => (TlsMode::None, 25),
            (other, _) => {
                return Err(format!(
                    "PORTICO_SMTP_URL must start with smtp:// or smtps://, not {other}://"
                ))
            }
        };
        let host = url
            .host_str()
            .filter(|host| !host.is_empty())
            .ok_or("PORTICO_SMTP_URL has no host")?
            .to_owned();
        let decode = |part: &str| percent_decode(part);
        let credentials = (!url.username().is_empty()).then(|| {
            (
                decode(url.username()),
                SecretString::from(decode(url.password().unwrap_or(""))),
            )
        });
        Ok(SmtpSettings {
            host,
            port: url.port().unwrap_or(default_port),
            tls,
            credentials,
        })
    }
}

fn percent_decode(part: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", part.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

pub struct SmtpMailer {
    settings: SmtpSettings,
    from: Mailbox,
    hello: ClientId,
    pool: ConnectionPool,
}

/// Idle connections plus a count of those lent out, so at most `max` are ever open.
struct ConnectionPool {
    max: usize,
    state: Mutex<PoolState>,
    returned: Condvar,
}

struct PoolState {
    /// Each idle connection with the moment it was returned.
    idle: Vec<(SmtpConnection, Instant)>,
    open: usize,
}

impl SmtpMailer {
    pub fn new(settings: SmtpSettings, from: Mailbox, max_connections: u32) -> SmtpMailer {
        SmtpMailer {
            settings,
            from,
            hello: ClientId::default(),
            pool: ConnectionPool {
                max: max_connections.max(1) as usize,
                state: Mutex::new(PoolState {
                    idle: Vec::new(),
                    open: 0,
                }),
                returned: Condvar::new(),
            },
        }
    }

    /// Connections open (lent out or idle), idle, and the most there may be.
    pub fn pool_state(&self) -> (usize, usize, usize) {
        let (open, idle) = self
            .pool
            .state
            .lock()
            .map_or((0, 0), |state| (state.open, state.idle.len()));
        (open, idle, self.pool.max)
    }

    pub fn from_address(&self) -> &Mailbox {
        &self.from
    }

    pub fn server(&self) -> String {
        format!("{}:{}", self.settings.host, self.settings.port)
    }

    pub fn send(
        &self,
        message: &Message,
        recipient: &str,
        message_id: String,
    ) -> Result<Delivery, MailError> {
        let (mut conn, vouched_for) = self.checkout(Trust::RecentlyUsed)?;
        let mut outcome = transmit(&mut conn, message, recipient);
        if let Err(failure) = &outcome {
            // A connection taken without a NOOP may have been closed by the server since its
            // last use. If it broke before the message went out, nothing reached the server:
            // send once more over a connection known to be alive.
            if !vouched_for && failure.before_payload && failure.error.code().is_none() {
                self.checkin(conn, false);
                (conn, _) = self.checkout(Trust::Checked)?;
                outcome = transmit(&mut conn, message, recipient);
            }
        }
        let outcome = outcome.map_err(|failure| failure.error);
        match &outcome {
            // A refused recipient or message leaves the session usable once reset.
            Err(MailError::Permanent { .. } | MailError::Transient { code: Some(_), .. }) => {
                let reset = conn.command(Rset).is_ok();
                self.checkin(conn, reset);
            }
            Err(_) => self.checkin(conn, false),
            Ok(_) => self.checkin(conn, true),
        }
        outcome.map(|receipt| Delivery {
            message_id,
            receipt,
            outbox_file: None,
        })
    }

    /// A pooled or new connection, and whether it is known to be alive (new, or answered a
    /// NOOP) rather than trusted for having been used moments ago.
    fn checkout(&self, trust: Trust) -> Result<(SmtpConnection, bool), MailError> {
        let mut state = self
            .pool
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        loop {
            if let Some((mut conn, returned_at)) = state.idle.pop() {
                drop(state);
                if trust == Trust::RecentlyUsed && returned_at.elapsed() < TRUSTED_IDLE {
                    return Ok((conn, false));
                }
                // A server may have closed an idle connection; NOOP finds out cheaply.
                if conn.test_connected() {
                    return Ok((conn, true));
                }
                drop(conn);
                state = self
                    .pool
                    .state
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                state.open -= 1;
                continue;
            }
            if state.open < self.pool.max {
                state.open += 1;
                drop(state);
                return self.connect().map(|conn| (conn, true)).inspect_err(|_| {
                    let mut state = self
                        .pool
                        .state
                        .lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner());
                    state.open -= 1;
                    self.pool.returned.notify_one();
                });
            }
            let (next, timeout) = self
                .pool
                .returned
                .wait_timeout(state, TIMEOUT)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            state = next;
            if timeout.timed_out() && state.idle.is_empty() && state.open >= self.pool.max {
                return Err(MailError::Transient {
                    code: None,
                    message: "all SMTP connections stayed busy for 10 seconds".to_owned(),
                });
            }
        }
    }

    fn checkin(&self, conn: SmtpConnection, reusable: bool) {
        let mut state = self
            .pool
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let retired = if reusable && !conn.has_broken() {
            state.idle.push((conn, Instant::now()));
            None
        } else {
            state.open -= 1;
            Some(conn)
        };
        drop(state);
        self.pool.returned.notify_one();
        // Closed without a QUIT (lettre's `abort` waits for its reply): a server that stopped
        // answering would hold this thread, and before the pool's lock, for another timeout.
        drop(retired);
    }

    fn connect(&self) -> Result<SmtpConnection, MailError> {
        let settings = &self.settings;
        let tls_parameters = || TlsParameters::new(settings.host.clone()).map_err(classify);
        let implicit = match settings.tls {
            TlsMode::Implicit => Some(tls_parameters()?),
            _ => None,
        };
        let mut conn = SmtpConnection::connect(
            (settings.host.as_str(), settings.port),
            Some(TIMEOUT),
            &self.hello,
            implicit.as_ref(),
            None,
        )
        .map_err(classify)?;
        if settings.tls == TlsMode::StartTls {
            if !conn.can_starttls() {
                return Err(MailError::Permanent {
                    code: None,
                    message: format!("{} does not offer STARTTLS", self.server()),
                });
            }
            conn.starttls(&tls_parameters()?, &self.hello)
                .map_err(classify)?;
        }
        if let Some((user, password)) = &settings.credentials {
            let credentials = Credentials::new(user.clone(), password.expose_secret().to_owned());
            conn.auth(&[Mechanism::Plain, Mechanism::Login], &credentials)
                .map_err(classify)?;
        }
        Ok(conn)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Trust {
    /// A connection returned less than TRUSTED_IDLE ago is used without a NOOP.
    RecentlyUsed,
    /// Every idle connection answers a NOOP first.
    Checked,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_select_tls_mode_and_credentials() {
        let plain = SmtpSettings::parse("smtp://127.0.0.1:2525").unwrap();
        assert_eq!((plain.tls, plain.port), (TlsMode::None, 2525));
        let starttls =
            SmtpSettings::parse("smtp://me%40x.io:p%2Fw@mail.x.io?tls=starttls").unwrap();
        assert_eq!((starttls.tls, starttls.port), (TlsMode::StartTls, 587));
        let (user, password) = starttls.credentials.unwrap();
        assert_eq!(
            (user.as_str(), password.expose_secret()),
            ("me@x.io", "p/w")
        );
        let implicit = SmtpSettings::parse("smtps://u:p@mail.x.io").unwrap();
        assert_eq!((implicit.tls, implicit.port), (TlsMode::Implicit, 465));
        assert!(SmtpSettings::parse("http://mail.x.io").is_err());
    }
}

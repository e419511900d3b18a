//! What Portico keeps in the session cookie, behind functions so the keys live in one place.

use actix_session::Session;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDateTime;
use rand::RngCore;
use serde::{Deserialize, Serialize};

const AGENT_ID: &str = "agent_id";
const CUSTOMER_CONTACT_ID: &str = "customer_contact_id";
const SIGNED_IN_AT: &str = "signed_in_at";
/// The same moment to the millisecond, for comparing with when the account's sessions ended:
/// to the second, a session signed in during the second its sessions were ended survived.
const SIGNED_IN_AT_MS: &str = "signed_in_at_ms";
const LAST_SEEN_AT: &str = "last_seen_at";
const CSRF_TOKEN: &str = "csrf";
const FLASH: &str = "flash";

/// A signed-in session ends after this long without a request...
pub const IDLE_TIMEOUT_SECONDS: i64 = 2 * 60 * 60;
/// ...and after this long in any case.
pub const ABSOLUTE_TIMEOUT_SECONDS: i64 = 12 * 60 * 60;
/// Refreshing the idle clock rewrites the cookie; once a minute is precise enough.
const LAST_SEEN_GRANULARITY_SECONDS: i64 = 60;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    pub kind: FlashKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FlashKind {
    Success,
    Error,
    Info,
}

impl FlashKind {
    pub fn css_class(self) -> &'static str {
        match self {
            FlashKind::Success => "flash-success",
            FlashKind::Error => "flash-error",
            FlashKind::Info => "flash-info",
        }
    }
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The CSRF token of this session, created on first use.
pub fn csrf_token(session: &Session) -> String {
    if let Ok(Some(token)) = session.get::<String>(CSRF_TOKEN) {
        return token;
    }
    let token = random_token();
    // A session that cannot be written yields a token that will not verify: the form fails
    // with a clear 403 rather than silently.
    let _ = session.insert(CSRF_TOKEN, &token);
    token
}

pub fn stored_csrf_token(session: &Session) -> Option<String> {
    session.get::<String>(CSRF_TOKEN).ok().flatten()
}

/// Starts a fresh session for one role: anything from before (another role, an attacker's
/// planted session) is dropped and the CSRF token rotates.
fn start_signed_in_session(session: &Session, role_key: &str, id: i64) {
    session.clear();
    session.renew();
    let now_ms = chrono::Utc::now().timestamp_millis();
    let now = now_ms.div_euclid(1000);
    let _ = session.insert(role_key, id);
    let _ = session.insert(SIGNED_IN_AT, now);
    let _ = session.insert(SIGNED_IN_AT_MS, now_ms);
    let _ = session.insert(LAST_SEEN_AT, now);
    let _ = session.insert(CSRF_TOKEN, random_token());
}

pub fn sign_in_agent(session: &Session, agent_id: i64) {
    start_signed_in_session(session, AGENT_ID, agent_id);
}

pub fn sign_in_customer(session: &Session, contact_id: i64) {
    start_signed_in_session(session, CUSTOMER_CONTACT_ID, contact_id);
}

pub fn sign_out(session: &Session) {
    session.purge();
}

fn signed_in_id(session: &Session, role_key: &str) -> Option<i64> {
    let id = session.get::<i64>(role_key).ok().flatten()?;
    let now = unix_now();
    let signed_in_at = session.get::<i64>(SIGNED_IN_AT).ok().flatten()?;
    let last_seen_at = session.get::<i64>(LAST_SEEN_AT).ok().flatten()?;
    if now - signed_in_at > ABSOLUTE_TIMEOUT_SECONDS || now - last_seen_at > IDLE_TIMEOUT_SECONDS {
        session.purge();
        return None;
    }
    if now - last_seen_at >= LAST_SEEN_GRANULARITY_SECONDS {
        let _ = session.insert(LAST_SEEN_AT, now);
    }
    Some(id)
}

/// Whether the session was signed in before `moment`, such as before its password changed: to
/// the millisecond, or to the second for a session signed in before that was recorded.
pub fn signed_in_before(session: &Session, moment: NaiveDateTime) -> bool {
    let moment = moment.and_utc();
    if let Ok(Some(signed_in_ms)) = session.get::<i64>(SIGNED_IN_AT_MS) {
        return signed_in_ms < moment.timestamp_millis();
    }
    session
        .get::<i64>(SIGNED_IN_AT)
        .ok()
        .flatten()
        .is_none_or(|signed_in_at| signed_in_at < moment.timestamp())
}

pub fn signed_in_agent_id(session: &Session) -> Option<i64> {
    signed_in_id(session, AGENT_ID)
}

pub fn signed_in_customer_id(session: &Session) -> Option<i64> {
    signed_in_id(session, CUSTOMER_CONTACT_ID)
}

pub fn set_flash(session: &Session, kind: FlashKind, message: impl Into<String>) {
    let _ = session.insert(
        FLASH,
        Flash {
            kind,
            message: message.into(),
        },
    );
}

pub fn take_flash(session: &Session) -> Option<Flash> {
    session.remove_as::<Flash>(FLASH).and_then(Result::ok)
}

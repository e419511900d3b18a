//! What Portico keeps in the session cookie, behind functions so the keys live in one place.

use actix_session::Session;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::auth::sessions::{Holder, SessionKey};
use crate::domain::{LinkToken, TimeZone};

const AGENT_ID: &str = "agent_id";
const CUSTOMER_CONTACT_ID: &str = "customer_contact_id";
/// The token of the session's row on the server (`auth::sessions`).
const SESSION_TOKEN: &str = "session";
const CSRF_TOKEN: &str = "csrf";
const FLASH: &str = "flash";
/// The customer's time zone, as their browser gave it at sign-in.
const TIME_ZONE: &str = "time_zone";

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

/// Starts a fresh cookie for the session row `token` names: anything from before (another
/// role, an attacker's planted session) is dropped and the CSRF token rotates.
pub fn start_signed_in(session: &Session, holder: Holder, token: &LinkToken) {
    session.clear();
    session.renew();
    let _ = match holder {
        Holder::Agent(id) => session.insert(AGENT_ID, id),
        Holder::Customer(id) => session.insert(CUSTOMER_CONTACT_ID, id),
    };
    let _ = session.insert(SESSION_TOKEN, token.as_str());
    let _ = session.insert(CSRF_TOKEN, random_token());
}

/// Keeps the zone a browser says it is in, for the Help Center's times.
pub fn set_time_zone(session: &Session, zone: TimeZone) {
    let _ = session.insert(TIME_ZONE, zone.name());
}

/// The zone kept by `set_time_zone`, or UTC.
pub fn time_zone(session: &Session) -> TimeZone {
    session
        .get::<String>(TIME_ZONE)
        .ok()
        .flatten()
        .and_then(|name| TimeZone::parse(&name))
        .unwrap_or_default()
}

/// Forgets the cookie; the row on the server is ended by `auth::sessions::end`.
pub fn sign_out(session: &Session) {
    session.purge();
}

fn signed_in_key(session: &Session, role_key: &str) -> Option<SessionKey> {
    let id = session.get::<i64>(role_key).ok().flatten()?;
    let token = session.get::<String>(SESSION_TOKEN).ok().flatten()?;
    let token = LinkToken::parse(&token)?;
    let holder = if role_key == AGENT_ID {
        Holder::Agent(id)
    } else {
        Holder::Customer(id)
    };
    Some(SessionKey {
        holder,
        token_digest: token.digest(),
    })
}

/// The agent's session this cookie claims; `auth::sessions::check` says if it still holds.
pub fn agent_key(session: &Session) -> Option<SessionKey> {
    signed_in_key(session, AGENT_ID)
}

/// The customer's session this cookie claims.
pub fn customer_key(session: &Session) -> Option<SessionKey> {
    signed_in_key(session, CUSTOMER_CONTACT_ID)
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

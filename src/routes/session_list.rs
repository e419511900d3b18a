//! "Where you're signed in": an agent's or customer's sessions as their account page lists
//! them, each with Sign out except the one in use.

use crate::auth::sessions::{SessionKey, SignedInSession};
use crate::domain::TimeZone;

pub const SIGNED_OUT_THERE: &str = "That browser has been signed out.";

pub struct ShownSession {
    pub id: i64,
    /// "Chrome on Linux", or the user agent's own words when they say nothing known.
    pub browser: String,
    pub client_address: String,
    /// "2026-12-08 08:30 JST", in the zone of whoever looks at the list.
    pub signed_in: String,
    pub last_active: String,
    /// The browser looking at the list.
    pub current: bool,
}

impl ShownSession {
    pub fn list(
        sessions: Vec<SignedInSession>,
        current: &SessionKey,
        zone: TimeZone,
    ) -> Vec<ShownSession> {
        sessions
            .into_iter()
            .map(|session| ShownSession {
                id: session.id,
                browser: browser_name(&session.user_agent),
                current: session.token_digest == current.token_digest,
                client_address: session.client_address,
                signed_in: zone.minute(session.created_at),
                last_active: zone.minute(session.last_seen_at),
            })
            .collect()
    }
}

fn browser_name(user_agent: &str) -> String {
    let Some(parsed) = woothee::parser::Parser::new().parse(user_agent) else {
        return if user_agent.trim().is_empty() {
            "Unknown browser".to_owned()
        } else {
            user_agent.chars().take(80).collect()
        };
    };
    match parsed.os {
        "UNKNOWN" | "" => parsed.name.to_owned(),
        os => format!("{} on {os}", parsed.name),
    }
}

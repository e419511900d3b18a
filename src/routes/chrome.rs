//! The parts of the layout every page shares: who is signed in, the flash message, the CSRF
//! token for the sign-out form, and which tab is active.

use actix_session::Session;

use crate::agents::Agent;
use crate::auth::guard::SignedInAgent;
use crate::auth::session::{self, Flash};
use crate::domain::TimeZone;

pub struct SignedInBadge {
    pub name: String,
    pub is_admin: bool,
}

pub struct Chrome {
    pub agent: Option<SignedInBadge>,
    pub flash: Option<Flash>,
    pub csrf_token: String,
    pub section: &'static str,
    /// Times on the page are shown in this zone.
    pub zone: TimeZone,
}

impl Chrome {
    /// For pages shown to anyone (sign-in, errors).
    pub fn bare() -> Chrome {
        Chrome {
            agent: None,
            flash: None,
            csrf_token: String::new(),
            section: "",
            zone: TimeZone::UTC,
        }
    }

    pub fn anonymous(session: &Session) -> Chrome {
        Chrome {
            agent: None,
            flash: session::take_flash(session),
            csrf_token: session::csrf_token(session),
            section: "",
            zone: TimeZone::UTC,
        }
    }

    pub fn for_agent(agent: &Agent, session: &Session, section: &'static str) -> Chrome {
        Chrome {
            agent: Some(SignedInBadge {
                name: agent.name.clone(),
                is_admin: agent.is_admin(),
            }),
            flash: session::take_flash(session),
            csrf_token: session::csrf_token(session),
            section,
            zone: agent.zone(),
        }
    }
}

impl SignedInAgent {
    /// The layout's shared parts for this agent, taking any pending flash message.
    pub fn chrome(&self, section: &'static str) -> Chrome {
        Chrome::for_agent(&self.agent, self.session(), section)
    }
}

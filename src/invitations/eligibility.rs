//! Who may be invited, decided in one place for every entry point.

use chrono::NaiveDateTime;

use crate::contacts::Contact;
use crate::domain::{EmailAddress, HelpCenterStatus};
use crate::invitations::invitation::Invitation;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SkipReason {
    NotFound,
    Deleted,
    Spam,
    NoEmail,
    AlreadyActivated,
    AlreadyInvited,
    Deactivated,
}

impl SkipReason {
    pub fn text(self) -> &'static str {
        match self {
            SkipReason::NotFound => "no such contact",
            SkipReason::Deleted => "deleted",
            SkipReason::Spam => "spam",
            SkipReason::NoEmail => "no email address",
            SkipReason::AlreadyActivated => "already activated",
            SkipReason::AlreadyInvited => "already invited",
            SkipReason::Deactivated => "Help Center access deactivated",
        }
    }
}

/// What to do with one contact.
#[derive(Debug)]
pub enum Decision {
    Skip(SkipReason),
    /// Invite, first revoking this live invitation (expired, or the agent asked to resend).
    Invite {
        address: EmailAddress,
        supersedes: Option<i64>,
    },
}

pub fn decide(
    contact: Option<&Contact>,
    live: Option<&Invitation>,
    resend: bool,
    now: NaiveDateTime,
) -> Decision {
    let Some(contact) = contact else {
        return Decision::Skip(SkipReason::NotFound);
    };
    if !contact.is_live() {
        return Decision::Skip(SkipReason::Deleted);
    }
    if contact.is_spam {
        return Decision::Skip(SkipReason::Spam);
    }
    let Some(address) = contact
        .email
        .as_deref()
        .and_then(|email| EmailAddress::parse(email).ok())
    else {
        return Decision::Skip(SkipReason::NoEmail);
    };
    if contact.help_center_status == HelpCenterStatus::Activated.as_str() {
        return Decision::Skip(SkipReason::AlreadyActivated);
    }
    // A new invitation would reactivate the account an agent deactivated.
    if contact.help_center_status == HelpCenterStatus::Deactivated.as_str() {
        return Decision::Skip(SkipReason::Deactivated);
    }
    match live {
        Some(invitation) if !resend && invitation.expires_at > now => {
            Decision::Skip(SkipReason::AlreadyInvited)
        }
        Some(invitation) => Decision::Invite {
            address,
            supersedes: Some(invitation.id),
        },
        None => Decision::Invite {
            address,
            supersedes: None,
        },
    }
}

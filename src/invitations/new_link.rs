//! "Email me a new link" on the page of an invitation link that no longer works. Only the
//! link presented decides what is sent, and to its own contact, never to a typed address:
//! nobody can invite someone else, revive a revoked invitation or end a live link.

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::contacts::Contact;
use crate::db::DbConnection;
use crate::domain::{EmailAddress, LinkToken};
use crate::help_center::links::customer_who_can_sign_in;
use crate::invitations::invitation::{Invitation, InvitationState};

/// What a presented link earns its contact.
#[derive(Debug, PartialEq, Eq)]
pub enum NewLink {
    /// The contact's current invitation expired unused: invite them again.
    Invitation {
        contact_id: i64,
        address: EmailAddress,
    },
    /// The invitation was accepted: the customer signs in, and may have forgotten how.
    PasswordReset { address: EmailAddress },
    /// Revoked, replaced, still live, failed or unknown: nothing is sent.
    Nothing,
}

pub fn for_presented_link(
    conn: &mut DbConnection,
    token: &LinkToken,
    now: NaiveDateTime,
) -> QueryResult<NewLink> {
    let Some(invitation) = Invitation::find_by_digest(conn, &token.digest())? else {
        return Ok(NewLink::Nothing);
    };
    let contact = Contact::find(conn, invitation.contact_id)?;
    match invitation.state() {
        // A contact has one live invitation at most, so an expired live one is their latest.
        InvitationState::Pending | InvitationState::Sent if invitation.expires_at <= now => {
            Ok(contact
                .filter(|contact| contact.is_live() && !contact.is_spam)
                .and_then(|contact| {
                    let address = EmailAddress::parse(contact.email.as_deref()?).ok()?;
                    Some(NewLink::Invitation {
                        contact_id: contact.id,
                        address,
                    })
                })
                .unwrap_or(NewLink::Nothing))
        }
        InvitationState::Accepted => {
            let Some((contact, _)) = customer_who_can_sign_in(conn, contact)? else {
                return Ok(NewLink::Nothing);
            };
            Ok(contact
                .email
                .as_deref()
                .and_then(|email| EmailAddress::parse(email).ok())
                .map_or(NewLink::Nothing, |address| NewLink::PasswordReset {
                    address,
                }))
        }
        _ => Ok(NewLink::Nothing),
    }
}

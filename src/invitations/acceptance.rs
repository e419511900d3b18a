//! A customer accepting an invitation: one transaction that uses the link up, activates the
//! portal account and marks the contact activated.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::audit::{self, Actor};
use crate::contacts::Contact;
use crate::db::schema::{contacts, invitations};
use crate::db::{write_transaction, DbConnection};
use crate::domain::{HelpCenterStatus, LinkToken};
use crate::help_center::accounts::PortalAccount;
use crate::invitations::invitation::{Invitation, InvitationState};

/// The contact a still-valid link invites, or nothing; every kind of invalid looks the same.
pub fn open_invitation(
    conn: &mut DbConnection,
    token: &LinkToken,
    now: NaiveDateTime,
) -> QueryResult<Option<(Invitation, Contact)>> {
    let Some(invitation) = Invitation::find_by_digest(conn, &token.digest())? else {
        return Ok(None);
    };
    if !invitation.is_live() || invitation.expires_at <= now {
        return Ok(None);
    }
    let contact = Contact::find(conn, invitation.contact_id)?;
    Ok(contact
        .filter(|contact| contact.is_live() && !contact.is_spam)
        .map(|contact| (invitation, contact)))
}

/// Accepts the invitation if it is still live: exactly one request can, however many race.
/// Returns the contact id to sign in.
pub fn accept(
    conn: &mut DbConnection,
    token: &LinkToken,
    name: &str,
    password_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<i64>> {
    write_transaction(conn, |conn| {
        let Some((invitation, contact)) = open_invitation(conn, token, now)? else {
            return Ok(None);
        };
        let used = diesel::update(
            invitations::table
                .find(invitation.id)
                .filter(invitations::state.eq_any(InvitationState::LIVE)),
        )
        .set((
            invitations::state.eq(InvitationState::Accepted.as_str()),
            invitations::accepted_at.eq(now),
        ))
        .execute(conn)?;
        if used != 1 {
            return Ok(None);
        }
        PortalAccount::activate(conn, contact.id, password_hash, now)?;
        diesel::update(contacts::table.find(contact.id))
            .set((
                contacts::name.eq(name),
                contacts::name_folded.eq(crate::domain::folded_unless_ascii(name)),
                contacts::help_center_status.eq(HelpCenterStatus::Activated.as_str()),
                contacts::invitation_expires_at.eq(None::<NaiveDateTime>),
                contacts::updated_at.eq(now),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            Actor::Contact(contact.id),
            "invitation.accepted",
            ("contact", Some(contact.id)),
            &format!(
                "with the link sent {} UTC",
                invitation.created_at.format("%Y-%m-%d %H:%M")
            ),
        )?;
        Ok(Some(contact.id))
    })
}

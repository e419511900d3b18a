//! One reminder for an invitation not yet accepted: after the days an admin chose in Settings,
//! with the same link, sent by the job runner of whichever instance claims it first. Expired,
//! revoked, accepted and failed invitations never get one.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::email::InvitationWording;
use super::invitation::InvitationState;
use super::{InviteError, Inviter};
use crate::audit::{self, Actor, ContactEvent};
use crate::db::schema::{agents, contacts, delivery_attempts, invitations};
use crate::db::write_transaction;
use crate::domain::{EmailAddress, HelpCenterStatus};
use crate::help_center::settings::HelpCenterSettings;
use crate::mail::MailError;

pub const REMIND_AFTER_DAYS_MAX: u32 = 30;
/// Reminders one round claims; the next round takes the rest.
const PER_ROUND: i64 = 50;

pub const REMINDER_SENT: &str = "reminder_sent";
pub const REMINDER_FAILED: &str = "reminder_failed";

#[derive(Queryable)]
struct Due {
    invitation_id: i64,
    contact_id: i64,
    link_seed: Option<String>,
    token_digest: String,
    expires_at: NaiveDateTime,
    name: String,
    email: Option<String>,
    sent_by: Option<String>,
}

/// Claims and sends the reminders due at `now`; returns how many this call claimed.
pub fn send_due(inviter: &Inviter, now: NaiveDateTime) -> Result<usize, InviteError> {
    let mut conn = inviter.pool.get()?;
    let settings = HelpCenterSettings::load(&mut conn)?;
    let Some(days) = settings.remind_after_days else {
        return Ok(0);
    };
    let due: Vec<Due> = invitations::table
        .inner_join(contacts::table)
        .left_join(agents::table.on(invitations::created_by_agent_id.eq(agents::id.nullable())))
        .filter(invitations::state.eq(InvitationState::Sent.as_str()))
        .filter(invitations::reminded_at.is_null())
        .filter(invitations::sent_at.le(now - Duration::days(i64::from(days))))
        .filter(invitations::expires_at.gt(now))
        .filter(invitations::link_seed.is_not_null())
        .filter(contacts::is_spam.eq(false))
        .filter(contacts::deleted_at.is_null())
        .filter(contacts::help_center_status.eq(HelpCenterStatus::Invited.as_str()))
        .order(invitations::sent_at.asc())
        .limit(PER_ROUND)
        .select((
            invitations::id,
            invitations::contact_id,
            invitations::link_seed,
            invitations::token_digest,
            invitations::expires_at,
            contacts::name,
            contacts::email,
            agents::name.nullable(),
        ))
        .load(&mut conn)?;
    // Whoever sets `reminded_at` first sends it: another instance's runner finds it claimed.
    let mut claimed = Vec::with_capacity(due.len());
    for row in due {
        let won = diesel::update(
            invitations::table
                .find(row.invitation_id)
                .filter(invitations::reminded_at.is_null())
                .filter(invitations::state.eq(InvitationState::Sent.as_str())),
        )
        .set(invitations::reminded_at.eq(now))
        .execute(&mut conn)?
            == 1;
        if won {
            claimed.push(row);
        }
    }
    drop(conn);
    if claimed.is_empty() {
        return Ok(0);
    }
    let wording = InvitationWording::from_settings(&settings);
    let outcomes: Vec<Result<(), MailError>> = claimed
        .iter()
        .map(|row| remind(inviter, &wording, row))
        .collect();
    let mut conn = inviter.pool.get()?;
    write_transaction(&mut conn, |conn| {
        let mut events = Vec::with_capacity(claimed.len());
        for (row, outcome) in claimed.iter().zip(&outcomes) {
            let (kind, code, error) = match outcome {
                Ok(()) => (REMINDER_SENT, None, None),
                Err(error) => (REMINDER_FAILED, error.code(), Some(error.to_string())),
            };
            diesel::insert_into(delivery_attempts::table)
                .values((
                    delivery_attempts::invitation_id.eq(row.invitation_id),
                    delivery_attempts::attempted_at.eq(now),
                    delivery_attempts::outcome.eq(kind),
                    delivery_attempts::smtp_code.eq(code.map(i64::from)),
                    delivery_attempts::error.eq(&error),
                ))
                .execute(conn)?;
            events.push(ContactEvent {
                action: if error.is_none() {
                    "invitation.reminded"
                } else {
                    "invitation.reminder_failed"
                },
                contact_id: row.contact_id,
                details: match &error {
                    None => format!(
                        "the same link, valid until {} UTC",
                        row.expires_at.format("%Y-%m-%d %H:%M")
                    ),
                    Some(error) => error.clone(),
                },
            });
        }
        audit::record_for_contacts(conn, Actor::System, &events)
    })?;
    Ok(claimed.len())
}

/// The invitation email again, its subject marked as a reminder, with the link first sent.
fn remind(inviter: &Inviter, wording: &InvitationWording, row: &Due) -> Result<(), MailError> {
    let seed = row.link_seed.as_deref().unwrap_or_default();
    let token = inviter.link_key.token_for(seed);
    if token.digest() != row.token_digest {
        return Err(MailError::Build(
            "the link could not be made again: the server's secret key changed since it was sent"
                .to_owned(),
        ));
    }
    let address = row
        .email
        .as_deref()
        .and_then(|email| EmailAddress::parse(email).ok())
        .ok_or_else(|| MailError::Build("the contact has no valid email address".to_owned()))?;
    let email = &inviter.invitation_email;
    let mut mail = email
        .compose_with(
            wording,
            &address,
            &row.name,
            row.sent_by.as_deref(),
            &email.link(&token),
            row.expires_at,
        )
        .map_err(|error| MailError::Build(error.to_string()))?;
    mail.subject = format!("Reminder: {}", mail.subject);
    inviter.mailer.send(&mail).map(|_| ())
}

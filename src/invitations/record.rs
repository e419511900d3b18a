//! After the sends: each attempt, the invitation's state and the contact's status, committed.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Text, Timestamp};

use super::{InviteError, InviteRequest, SkipReason};
use crate::audit::{self, Actor};
use crate::db::schema::{contacts, delivery_attempts, invitations};
use crate::db::{now, write_transaction, DbConnection, ROWS_PER_STATEMENT};
use crate::domain::HelpCenterStatus;
use crate::invitations::invitation::InvitationState;
use crate::mail::{Delivery, MailError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowOutcome {
    Invited,
    Skipped(SkipReason),
    Failed {
        permanent: bool,
        code: Option<u16>,
        error: String,
    },
    /// The mail server took the email but never confirmed it: it may have arrived.
    Unknown {
        error: String,
    },
}

impl RowOutcome {
    pub fn kind(&self) -> &'static str {
        match self {
            RowOutcome::Invited => "invited",
            RowOutcome::Skipped(_) => "skipped",
            RowOutcome::Failed { .. } => "failed",
            RowOutcome::Unknown { .. } => "unknown",
        }
    }

    pub fn reason(&self) -> String {
        match self {
            RowOutcome::Invited => String::new(),
            RowOutcome::Skipped(reason) => reason.text().to_owned(),
            RowOutcome::Failed {
                permanent, error, ..
            } => {
                let kind = if *permanent {
                    "refused"
                } else {
                    "temporary failure, retry"
                };
                format!("{kind}: {error}")
            }
            RowOutcome::Unknown { error } => {
                format!("delivery unknown, it may have arrived: {error}")
            }
        }
    }
}

/// Records each send's outcome; returns the outcome by contact id.
pub fn outcomes(
    conn: &mut DbConnection,
    attempted: &[(i64, i64)],
    deliveries: Vec<Result<Delivery, MailError>>,
    request: &InviteRequest,
) -> Result<HashMap<i64, RowOutcome>, InviteError> {
    let actor = request
        .agent
        .as_ref()
        .map_or(Actor::System, |(id, _)| Actor::Agent(*id));
    let at = now();
    write_transaction(conn, |conn| {
        let mut by_contact = HashMap::new();
        let mut sent = Vec::with_capacity(deliveries.len());
        for (&(invitation_id, contact_id), delivery) in attempted.iter().zip(deliveries) {
            match delivery {
                Ok(delivery) => {
                    sent.push((invitation_id, delivery.message_id));
                    by_contact.insert(contact_id, RowOutcome::Invited);
                }
                Err(MailError::Unconfirmed { message }) => {
                    record_unconfirmed(conn, invitation_id, contact_id, &message, at)?;
                    audit::record(
                        conn,
                        actor,
                        "invitation.delivery_unknown",
                        ("contact", Some(contact_id)),
                        &message,
                    )?;
                    by_contact.insert(contact_id, RowOutcome::Unknown { error: message });
                }
                Err(error) => {
                    let permanent = error.is_permanent();
                    let message = error.to_string();
                    diesel::insert_into(delivery_attempts::table)
                        .values((
                            delivery_attempts::invitation_id.eq(invitation_id),
                            delivery_attempts::attempted_at.eq(at),
                            delivery_attempts::outcome.eq(if permanent {
                                "permanent_failure"
                            } else {
                                "transient_failure"
                            }),
                            delivery_attempts::smtp_code.eq(error.code().map(i64::from)),
                            delivery_attempts::error.eq(&message),
                        ))
                        .execute(conn)?;
                    diesel::update(invitations::table.find(invitation_id))
                        .set((
                            invitations::state.eq(InvitationState::Failed.as_str()),
                            invitations::attempts.eq(invitations::attempts + 1),
                            invitations::last_error.eq(&message),
                        ))
                        .execute(conn)?;
                    diesel::update(contacts::table.find(contact_id).filter(
                        contacts::help_center_status.eq(HelpCenterStatus::Invited.as_str()),
                    ))
                    .set(
                        contacts::help_center_status
                            .eq(HelpCenterStatus::InvitationFailed.as_str()),
                    )
                    .execute(conn)?;
                    audit::record(
                        conn,
                        actor,
                        "invitation.delivery_failed",
                        ("contact", Some(contact_id)),
                        &message,
                    )?;
                    by_contact.insert(
                        contact_id,
                        RowOutcome::Failed {
                            permanent,
                            code: error.code(),
                            error: message,
                        },
                    );
                }
            }
        }
        record_sent(conn, &sent, at)?;
        Ok(by_contact)
    })
}

/// Why an invitation its sender left pending reads "Delivery unknown".
pub const INTERRUPTED: &str = "the work sending it was interrupted, so it may or may not have left";

/// Invitations (id, contact id) written and then left pending by a sender that stopped
/// mid-send (its instance died): recorded as a send never confirmed, so each reads "Delivery
/// unknown", in the contact's history and view too, and waits for an agent to resend it.
pub fn mark_interrupted(
    conn: &mut DbConnection,
    interrupted: &[(i64, i64)],
    actor: Actor,
) -> QueryResult<()> {
    if interrupted.is_empty() {
        return Ok(());
    }
    let at = now();
    write_transaction(conn, |conn| {
        for &(invitation_id, contact_id) in interrupted {
            record_unconfirmed(conn, invitation_id, contact_id, INTERRUPTED, at)?;
        }
        let events: Vec<audit::ContactEvent> = interrupted
            .iter()
            .map(|&(_, contact_id)| audit::ContactEvent {
                action: "invitation.delivery_unknown",
                contact_id,
                details: INTERRUPTED.to_owned(),
            })
            .collect();
        audit::record_for_contacts(conn, actor, &events)?;
        Ok(())
    })
}

/// A send the server never confirmed: its attempt says so, and the invitation stays live (its
/// link works if the email arrived) but is marked, as its contact is, "Delivery unknown".
fn record_unconfirmed(
    conn: &mut DbConnection,
    invitation_id: i64,
    contact_id: i64,
    message: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(delivery_attempts::table)
        .values((
            delivery_attempts::invitation_id.eq(invitation_id),
            delivery_attempts::attempted_at.eq(at),
            delivery_attempts::outcome.eq("unconfirmed"),
            delivery_attempts::error.eq(message),
        ))
        .execute(conn)?;
    diesel::update(
        invitations::table
            .find(invitation_id)
            .filter(invitations::state.eq(InvitationState::Pending.as_str())),
    )
    .set((
        invitations::state.eq(InvitationState::Sent.as_str()),
        invitations::sent_at.eq(at),
        invitations::unconfirmed_at.eq(at),
        invitations::attempts.eq(invitations::attempts + 1),
        invitations::last_error.eq(message),
    ))
    .execute(conn)?;
    diesel::update(
        contacts::table
            .find(contact_id)
            .filter(contacts::help_center_status.eq(HelpCenterStatus::Invited.as_str())),
    )
    .set(contacts::help_center_status.eq(HelpCenterStatus::DeliveryUnknown.as_str()))
    .execute(conn)?;
    Ok(())
}

/// The sent invitations' attempts and states: a statement per chunk, not per invitation.
fn record_sent(
    conn: &mut DbConnection,
    sent: &[(i64, String)],
    at: NaiveDateTime,
) -> QueryResult<()> {
    for chunk in sent.chunks(ROWS_PER_STATEMENT) {
        let attempts: Vec<_> = chunk
            .iter()
            .map(|(invitation_id, _)| {
                (
                    delivery_attempts::invitation_id.eq(*invitation_id),
                    delivery_attempts::attempted_at.eq(at),
                    delivery_attempts::outcome.eq("sent"),
                )
            })
            .collect();
        let insert = diesel::insert_into(delivery_attempts::table).values(attempts);
        match conn {
            DbConnection::Sqlite(sqlite) => {
                insert.execute(sqlite)?;
                // Each row has its own message id; on SQLite a statement is no round trip.
                for (invitation_id, message_id) in chunk {
                    diesel::update(
                        invitations::table
                            .find(invitation_id)
                            .filter(invitations::state.eq(InvitationState::Pending.as_str())),
                    )
                    .set((
                        invitations::state.eq(InvitationState::Sent.as_str()),
                        invitations::sent_at.eq(at),
                        invitations::attempts.eq(invitations::attempts + 1),
                        invitations::smtp_message_id.eq(message_id),
                        invitations::last_error.eq(None::<String>),
                    ))
                    .execute(sqlite)?;
                }
            }
            DbConnection::Postgresql(pg) => {
                insert.execute(pg)?;
                let (ids, message_ids): (Vec<i64>, Vec<&str>) = chunk
                    .iter()
                    .map(|(id, message_id)| (*id, message_id.as_str()))
                    .unzip();
                // diesel's builder has no UPDATE ... FROM: each row's message id comes from
                // the arrays, matched by invitation id.
                diesel::sql_query(
                    "UPDATE invitations SET state = $1, sent_at = $2, \
                     attempts = invitations.attempts + 1, smtp_message_id = sent.message_id, \
                     last_error = NULL \
                     FROM unnest($3::bigint[], $4::text[]) AS sent(id, message_id) \
                     WHERE invitations.id = sent.id AND invitations.state = $5",
                )
                .bind::<Text, _>(InvitationState::Sent.as_str())
                .bind::<Timestamp, _>(at)
                .bind::<Array<BigInt>, _>(&ids)
                .bind::<Array<Text>, _>(&message_ids)
                .bind::<Text, _>(InvitationState::Pending.as_str())
                .execute(pg)?;
            }
        }
    }
    Ok(())
}

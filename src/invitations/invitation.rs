//! Invitation rows: each link sent to a contact, its state and its delivery attempts.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{agents, delivery_attempts, invitations};
use crate::db::DbConnection;

/// Pending rows older than this with no attempt recorded were being sent when the process
/// stopped: nobody knows whether the email left.
pub const DELIVERY_UNKNOWN_AFTER_MINUTES: i64 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationState {
    Pending,
    Sent,
    Failed,
    Accepted,
    Revoked,
}

impl InvitationState {
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationState::Pending => "pending",
            InvitationState::Sent => "sent",
            InvitationState::Failed => "failed",
            InvitationState::Accepted => "accepted",
            InvitationState::Revoked => "revoked",
        }
    }

    pub fn parse(value: &str) -> InvitationState {
        match value {
            "sent" => InvitationState::Sent,
            "failed" => InvitationState::Failed,
            "accepted" => InvitationState::Accepted,
            "revoked" => InvitationState::Revoked,
            _ => InvitationState::Pending,
        }
    }

    pub const LIVE: [&'static str; 2] = ["pending", "sent"];
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = invitations)]
pub struct Invitation {
    pub id: i64,
    pub contact_id: i64,
    pub token_digest: String,
    pub created_by_agent_id: Option<i64>,
    pub batch_id: Option<i64>,
    pub bulk_job_id: Option<i64>,
    pub state: String,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    pub expires_at: NaiveDateTime,
    pub accepted_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub smtp_message_id: Option<String>,
    /// Handed to the mail server, never confirmed: the link stays live, in case it arrived.
    pub unconfirmed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = delivery_attempts)]
pub struct DeliveryAttempt {
    pub id: i64,
    pub invitation_id: i64,
    pub attempted_at: NaiveDateTime,
    pub outcome: String,
    pub smtp_code: Option<i64>,
    pub error: Option<String>,
}

/// How an invitation reads on the contact's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationLabel {
    Sending,
    DeliveryUnknown,
    Sent,
    Expired,
    Failed,
    Accepted,
    Revoked,
    /// Revoked by the newer invitation that replaced it (a resend, or a new link).
    Replaced,
}

impl InvitationLabel {
    pub fn text(self) -> &'static str {
        match self {
            InvitationLabel::Sending => "Sending",
            InvitationLabel::DeliveryUnknown => "Delivery unknown",
            InvitationLabel::Sent => "Sent",
            InvitationLabel::Expired => "Expired",
            InvitationLabel::Failed => "Failed",
            InvitationLabel::Accepted => "Accepted",
            InvitationLabel::Revoked => "Revoked",
            InvitationLabel::Replaced => "Replaced",
        }
    }

    pub fn badge(self) -> &'static str {
        match self {
            InvitationLabel::Sending | InvitationLabel::Sent => "invited",
            InvitationLabel::DeliveryUnknown => "delivery-unknown",
            InvitationLabel::Failed => "failed",
            InvitationLabel::Expired => "expired",
            InvitationLabel::Accepted => "activated",
            InvitationLabel::Revoked | InvitationLabel::Replaced => "deactivated",
        }
    }
}

impl Invitation {
    pub fn state(&self) -> InvitationState {
        InvitationState::parse(&self.state)
    }

    pub fn is_live(&self) -> bool {
        matches!(
            self.state(),
            InvitationState::Pending | InvitationState::Sent
        )
    }

    pub fn label(&self, now: NaiveDateTime) -> InvitationLabel {
        match self.state() {
            InvitationState::Pending
                if now - self.created_at
                    > chrono::Duration::minutes(DELIVERY_UNKNOWN_AFTER_MINUTES) =>
            {
                InvitationLabel::DeliveryUnknown
            }
            InvitationState::Pending => InvitationLabel::Sending,
            InvitationState::Sent if self.expires_at <= now => InvitationLabel::Expired,
            InvitationState::Sent if self.unconfirmed_at.is_some() => {
                InvitationLabel::DeliveryUnknown
            }
            InvitationState::Sent => InvitationLabel::Sent,
            InvitationState::Failed => InvitationLabel::Failed,
            InvitationState::Accepted => InvitationLabel::Accepted,
            InvitationState::Revoked => InvitationLabel::Revoked,
        }
    }

    /// The label among the contact's other invitations: one revoked at the moment a newer one
    /// was created was replaced by it, not revoked by an agent.
    pub fn label_among(&self, now: NaiveDateTime, history: &[Invitation]) -> InvitationLabel {
        match self.label(now) {
            InvitationLabel::Revoked
                if history.iter().any(|other| {
                    other.id > self.id && Some(other.created_at) == self.revoked_at
                }) =>
            {
                InvitationLabel::Replaced
            }
            label => label,
        }
    }

    pub fn live_for_contact(
        conn: &mut DbConnection,
        contact_id: i64,
    ) -> QueryResult<Option<Invitation>> {
        invitations::table
            .filter(invitations::contact_id.eq(contact_id))
            .filter(invitations::state.eq_any(InvitationState::LIVE))
            .select(Invitation::as_select())
            .first(conn)
            .optional()
    }

    pub fn live_for_contacts(
        conn: &mut DbConnection,
        contact_ids: &[i64],
    ) -> QueryResult<Vec<Invitation>> {
        invitations::table
            .filter(invitations::contact_id.eq_any(contact_ids))
            .filter(invitations::state.eq_any(InvitationState::LIVE))
            .select(Invitation::as_select())
            .load(conn)
    }

    pub fn find_by_digest(
        conn: &mut DbConnection,
        digest: &str,
    ) -> QueryResult<Option<Invitation>> {
        invitations::table
            .filter(invitations::token_digest.eq(digest))
            .select(Invitation::as_select())
            .first(conn)
            .optional()
    }

    /// A contact's invitations, newest first, each with the sender's name and its attempts.
    pub fn history(conn: &mut DbConnection, contact_id: i64) -> QueryResult<Vec<HistoryEntry>> {
        let rows: Vec<(Invitation, Option<String>)> = invitations::table
            .left_join(agents::table)
            .filter(invitations::contact_id.eq(contact_id))
            .order((invitations::created_at.desc(), invitations::id.desc()))
            .select((Invitation::as_select(), agents::name.nullable()))
            .load(conn)?;
        let ids: Vec<i64> = rows.iter().map(|(invitation, _)| invitation.id).collect();
        let mut attempts: Vec<DeliveryAttempt> = delivery_attempts::table
            .filter(delivery_attempts::invitation_id.eq_any(&ids))
            .order((
                delivery_attempts::attempted_at.asc(),
                delivery_attempts::id.asc(),
            ))
            .select(DeliveryAttempt::as_select())
            .load(conn)?;
        Ok(rows
            .into_iter()
            .map(|(invitation, sender)| {
                let mine = attempts
                    .iter()
                    .filter(|attempt| attempt.invitation_id == invitation.id)
                    .cloned()
                    .collect();
                attempts.retain(|attempt| attempt.invitation_id != invitation.id);
                (invitation, sender, mine)
            })
            .collect())
    }
}

/// An invitation, the name of the agent who sent it, and its delivery attempts.
pub type HistoryEntry = (Invitation, Option<String>, Vec<DeliveryAttempt>);

#[derive(Debug, Insertable)]
#[diesel(table_name = invitations)]
pub struct NewInvitation {
    pub contact_id: i64,
    pub token_digest: String,
    pub link_seed: Option<String>,
    pub created_by_agent_id: Option<i64>,
    pub batch_id: Option<i64>,
    pub bulk_job_id: Option<i64>,
    pub state: &'static str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

impl NewInvitation {
    /// Inserts each row unless its contact already has a live invitation (another request won
    /// the race); returns the new invitations' ids by contact id. On PostgreSQL each chunk is one
    /// statement, one round trip. On SQLite a statement per row, which costs no round trip
    /// (diesel's batch insert there would also treat a row the conflict skipped as an error).
    pub fn insert_many_if_none_live(
        conn: &mut DbConnection,
        rows: &[NewInvitation],
    ) -> QueryResult<HashMap<i64, i64>> {
        let mut inserted = HashMap::with_capacity(rows.len());
        match conn {
            DbConnection::Sqlite(sqlite) => {
                for row in rows {
                    let id: Option<i64> = diesel::insert_into(invitations::table)
                        .values(row)
                        .on_conflict_do_nothing()
                        .returning(invitations::id)
                        .get_result(sqlite)
                        .optional()?;
                    if let Some(id) = id {
                        inserted.insert(row.contact_id, id);
                    }
                }
            }
            DbConnection::Postgresql(pg) => {
                for chunk in rows.chunks(crate::db::ROWS_PER_STATEMENT) {
                    let ids: Vec<(i64, i64)> = diesel::insert_into(invitations::table)
                        .values(chunk)
                        .on_conflict_do_nothing()
                        .returning((invitations::contact_id, invitations::id))
                        .get_results(pg)?;
                    inserted.extend(ids);
                }
            }
        }
        Ok(inserted)
    }
}

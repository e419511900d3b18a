//! Mass invites: the contacts an agent selected, invited while the agent waits. Each form
//! submission is one mass invite, keyed by a random value the form carries, so a double click
//! or a reload finds it already there and sends nothing twice. Its sender holds a claim on it
//! while sending (`lease`): when the mail server is slow the sending goes on after the page
//! answers, and when the sender's instance dies another instance's job runner finishes it.

mod sending;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::{quota, random_key, InviteError, Inviter};
use crate::db::schema::{contacts, invitations, invite_batch_rows, invite_batches};
use crate::db::{now, write_transaction, DbConnection};

pub use sending::{claim_abandoned, work};

/// The most contacts one mass invite takes; more go through a bulk job.
pub const MAX_MASS_INVITE: usize = 500;

/// A mass invite just recorded and claimed by its sender, or the one its submission key
/// already named.
#[derive(Debug)]
pub enum Start {
    New(MassInviteClaim),
    AlreadySubmitted(i64),
}

/// A mass invite its holder sends until it is finished or the claim runs out.
#[derive(Debug)]
pub struct MassInviteClaim {
    pub id: i64,
    token: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = invite_batches)]
pub struct MassInvite {
    pub id: i64,
    pub agent_id: Option<i64>,
    pub submission_key: String,
    pub invited: i64,
    pub skipped: i64,
    pub failed: i64,
    pub created_at: NaiveDateTime,
    pub unknown: i64,
    pub resend: bool,
    /// Unset while its emails are being sent.
    pub finished_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone)]
pub struct MassInviteRow {
    pub contact_id: i64,
    pub contact_name: String,
    pub email: Option<String>,
    pub outcome: String,
    pub reason: String,
}

/// What a new mass invite is asked to do.
struct Asked<'a> {
    agent_id: i64,
    contact_ids: &'a [i64],
    resend: bool,
    submission_key: &'a str,
}

fn start(conn: &mut DbConnection, asked: &Asked, lease: Duration) -> QueryResult<Start> {
    let contact_ids =
        serde_json::to_string(asked.contact_ids).expect("a list of numbers serializes");
    let token = random_key();
    write_transaction(conn, |conn| {
        let existing: Option<i64> = invite_batches::table
            .filter(invite_batches::submission_key.eq(asked.submission_key))
            .select(invite_batches::id)
            .first(conn)
            .optional()?;
        if let Some(id) = existing {
            return Ok(Start::AlreadySubmitted(id));
        }
        let created_at = now();
        let insert = diesel::insert_into(invite_batches::table)
            .values((
                invite_batches::agent_id.eq(asked.agent_id),
                invite_batches::submission_key.eq(asked.submission_key),
                invite_batches::created_at.eq(created_at),
                invite_batches::contact_ids.eq(&contact_ids),
                invite_batches::resend.eq(asked.resend),
                invite_batches::claimed_until.eq(created_at + lease),
                invite_batches::claim_token.eq(&token),
            ))
            .on_conflict_do_nothing();
        let created: Option<i64> = match conn {
            DbConnection::Sqlite(sqlite) => insert
                .returning(invite_batches::id)
                .get_result(sqlite)
                .optional()?,
            DbConnection::Postgresql(pg) => insert
                .returning(invite_batches::id)
                .get_result(pg)
                .optional()?,
        };
        match created {
            Some(id) => Ok(Start::New(MassInviteClaim {
                id,
                token: token.clone(),
            })),
            None => invite_batches::table
                .filter(invite_batches::submission_key.eq(asked.submission_key))
                .select(invite_batches::id)
                .first(conn)
                .map(Start::AlreadySubmitted),
        }
    })
}

#[derive(Debug, thiserror::Error)]
pub enum MassInviteError {
    #[error("Select at least one contact to invite, or tick “Apply to all in this view”.")]
    NothingSelected,
    #[error("Select at most {MAX_MASS_INVITE} contacts to invite at once. To invite more, tick “Apply to all in this view”: Portico then invites the whole view as a bulk job.")]
    TooMany,
    #[error("No invitation in this mass invite failed, so there is nothing to retry.")]
    NothingFailed,
    #[error("mass invite not found")]
    NotFound,
    #[error(transparent)]
    Invite(#[from] InviteError),
}

impl From<diesel::result::Error> for MassInviteError {
    fn from(error: diesel::result::Error) -> Self {
        MassInviteError::Invite(error.into())
    }
}

impl From<diesel::r2d2::PoolError> for MassInviteError {
    fn from(error: diesel::r2d2::PoolError) -> Self {
        MassInviteError::Invite(error.into())
    }
}

/// Checks a mass invite and records that it started, claimed by the caller for `lease`,
/// unless `submission_key` already did: nothing is sent yet (`work` sends). Over the daily
/// quota nothing is written, not even the mass invite.
pub fn begin(
    inviter: &Inviter,
    agent_id: i64,
    contact_ids: &[i64],
    resend: bool,
    submission_key: &str,
    lease: Duration,
) -> Result<Start, MassInviteError> {
    if contact_ids.is_empty() {
        return Err(MassInviteError::NothingSelected);
    }
    if contact_ids.len() > MAX_MASS_INVITE {
        return Err(MassInviteError::TooMany);
    }
    let mut conn = inviter.pool.get()?;
    quota::precheck(&mut conn, agent_id, contact_ids, resend, now())?.map_err(InviteError::from)?;
    let asked = Asked {
        agent_id,
        contact_ids,
        resend,
        submission_key,
    };
    Ok(start(&mut conn, &asked, lease)?)
}

/// How many invitations an unfinished mass invite is sending: the ones written so far, or
/// before any is, the contacts it was asked for.
pub fn sending(conn: &mut DbConnection, id: i64) -> QueryResult<i64> {
    let written: i64 = invitations::table
        .filter(invitations::batch_id.eq(id))
        .count()
        .get_result(conn)?;
    if written > 0 {
        return Ok(written);
    }
    Ok(sending::asked_contacts(conn, id)?.len() as i64)
}

/// The contacts whose invitation failed in mass invite `id`, for Retry.
pub fn failed_to_retry(conn: &mut DbConnection, id: i64) -> Result<Vec<i64>, MassInviteError> {
    find(conn, id)?.ok_or(MassInviteError::NotFound)?;
    let failed = failed_contacts(conn, id)?;
    if failed.is_empty() {
        return Err(MassInviteError::NothingFailed);
    }
    Ok(failed)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<MassInvite>> {
    invite_batches::table
        .find(id)
        .select(MassInvite::as_select())
        .first(conn)
        .optional()
}

pub fn rows(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<MassInviteRow>> {
    let rows: Vec<(i64, String, Option<String>, String, String)> = invite_batch_rows::table
        .inner_join(contacts::table)
        .filter(invite_batch_rows::batch_id.eq(id))
        .order(invite_batch_rows::id.asc())
        .select((
            contacts::id,
            contacts::name,
            contacts::email,
            invite_batch_rows::outcome,
            invite_batch_rows::reason,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(contact_id, contact_name, email, outcome, reason)| MassInviteRow {
                contact_id,
                contact_name,
                email,
                outcome,
                reason,
            },
        )
        .collect())
}

fn failed_contacts(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<i64>> {
    invite_batch_rows::table
        .filter(invite_batch_rows::batch_id.eq(id))
        .filter(invite_batch_rows::outcome.eq("failed"))
        .select(invite_batch_rows::contact_id)
        .load(conn)
}

/// "Invited 47 · Skipped 3 (2 spam, 1 already activated) · Failed 1".
pub fn summary(mass_invite: &MassInvite, rows: &[MassInviteRow]) -> String {
    let mut reasons: Vec<(String, usize)> = Vec::new();
    for row in rows.iter().filter(|row| row.outcome == "skipped") {
        match reasons.iter_mut().find(|(reason, _)| *reason == row.reason) {
            Some((_, count)) => *count += 1,
            None => reasons.push((row.reason.clone(), 1)),
        }
    }
    let mut text = format!(
        "Invited {} · Skipped {}",
        mass_invite.invited, mass_invite.skipped
    );
    if !reasons.is_empty() {
        let detail: Vec<String> = reasons
            .iter()
            .map(|(reason, count)| format!("{count} {reason}"))
            .collect();
        text.push_str(&format!(" ({})", detail.join(", ")));
    }
    text.push_str(&format!(" · Failed {}", mass_invite.failed));
    if mass_invite.unknown > 0 {
        text.push_str(&format!(" · Delivery unknown {}", mass_invite.unknown));
    }
    text
}

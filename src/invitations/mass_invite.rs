//! Mass invites: the contacts an agent selected, invited while the agent waits. Each form
//! submission is one mass invite, keyed by a random value the form carries, so a double click
//! or a reload finds it already there and sends nothing twice.

use diesel::prelude::*;

use super::{quota, InviteError, InviteRequest, InviteResult, Inviter, RowOutcome, SkipReason};
use crate::db::schema::{contacts, invitations, invite_batch_rows, invite_batches};
use crate::db::{now, write_transaction, DbConnection, ROWS_PER_STATEMENT};

/// The most contacts one mass invite takes; more go through a bulk job.
pub const MAX_MASS_INVITE: usize = 500;

/// A mass invite just recorded, or the one its submission key already named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    New(i64),
    AlreadySubmitted(i64),
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
    pub created_at: chrono::NaiveDateTime,
    pub unknown: i64,
}

#[derive(Debug, Clone)]
pub struct MassInviteRow {
    pub contact_id: i64,
    pub contact_name: String,
    pub email: Option<String>,
    pub outcome: String,
    pub reason: String,
}

fn start(conn: &mut DbConnection, agent_id: i64, submission_key: &str) -> QueryResult<Start> {
    write_transaction(conn, |conn| {
        let existing: Option<i64> = invite_batches::table
            .filter(invite_batches::submission_key.eq(submission_key))
            .select(invite_batches::id)
            .first(conn)
            .optional()?;
        if let Some(id) = existing {
            return Ok(Start::AlreadySubmitted(id));
        }
        let insert = diesel::insert_into(invite_batches::table)
            .values((
                invite_batches::agent_id.eq(agent_id),
                invite_batches::submission_key.eq(submission_key),
                invite_batches::created_at.eq(now()),
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
            Some(id) => Ok(Start::New(id)),
            None => invite_batches::table
                .filter(invite_batches::submission_key.eq(submission_key))
                .select(invite_batches::id)
                .first(conn)
                .map(Start::AlreadySubmitted),
        }
    })
}

fn finish(conn: &mut DbConnection, id: i64, results: &[InviteResult]) -> QueryResult<()> {
    let count = |kind: &str| {
        results
            .iter()
            .filter(|result| result.outcome.kind() == kind)
            .count() as i64
    };
    write_transaction(conn, |conn| {
        let rows: Vec<_> = results
            .iter()
            .filter(|result| result.outcome != RowOutcome::Skipped(SkipReason::NotFound))
            .map(|result| {
                (
                    invite_batch_rows::batch_id.eq(id),
                    invite_batch_rows::contact_id.eq(result.contact_id),
                    invite_batch_rows::outcome.eq(result.outcome.kind()),
                    invite_batch_rows::reason.eq(result.outcome.reason()),
                )
            })
            .collect();
        // A statement per chunk, not per row: on PostgreSQL every statement is a round trip.
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let insert = diesel::insert_into(invite_batch_rows::table).values(chunk);
            match conn {
                DbConnection::Sqlite(sqlite) => insert.execute(sqlite)?,
                DbConnection::Postgresql(pg) => insert.execute(pg)?,
            };
        }
        diesel::update(invite_batches::table.find(id))
            .set((
                invite_batches::invited.eq(count("invited")),
                invite_batches::skipped.eq(count("skipped")),
                invite_batches::failed.eq(count("failed")),
                invite_batches::unknown.eq(count("unknown")),
            ))
            .execute(conn)?;
        Ok(())
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

/// Invites `contact_ids` for `agent` (id and name) as the mass invite `submission_key` names,
/// unless that key was already submitted, and says which mass invite's result to show.
pub fn send(
    inviter: &Inviter,
    agent: (i64, String),
    contact_ids: Vec<i64>,
    resend: bool,
    submission_key: &str,
) -> Result<i64, MassInviteError> {
    match begin(inviter, agent.0, &contact_ids, resend, submission_key)? {
        Start::AlreadySubmitted(id) => Ok(id),
        Start::New(id) => {
            complete(inviter, id, agent, contact_ids, resend)?;
            Ok(id)
        }
    }
}

/// Checks a mass invite and records that it started, unless `submission_key` already did:
/// nothing is sent yet. Over the daily quota nothing is written, not even the mass invite.
pub fn begin(
    inviter: &Inviter,
    agent_id: i64,
    contact_ids: &[i64],
    resend: bool,
    submission_key: &str,
) -> Result<Start, MassInviteError> {
    if contact_ids.is_empty() {
        return Err(MassInviteError::NothingSelected);
    }
    if contact_ids.len() > MAX_MASS_INVITE {
        return Err(MassInviteError::TooMany);
    }
    let mut conn = inviter.pool.get()?;
    quota::precheck(&mut conn, agent_id, contact_ids, resend, now())?.map_err(InviteError::from)?;
    Ok(start(&mut conn, agent_id, submission_key)?)
}

/// Sends the mass invite `id` that `begin` started and records each row's outcome.
pub fn complete(
    inviter: &Inviter,
    id: i64,
    agent: (i64, String),
    contact_ids: Vec<i64>,
    resend: bool,
) -> Result<(), MassInviteError> {
    let results = inviter.invite(&InviteRequest {
        contact_ids,
        agent: Some(agent),
        resend,
        mass_invite_id: Some(id),
        bulk_job_id: None,
    })?;
    let mut conn = inviter.pool.get()?;
    finish(&mut conn, id, &results)?;
    Ok(())
}

/// How many invitations mass invite `id` is sending; while it runs no row is written yet.
pub fn sending(conn: &mut DbConnection, id: i64) -> QueryResult<i64> {
    invitations::table
        .filter(invitations::batch_id.eq(id))
        .count()
        .get_result(conn)
}

/// Invites again, as a new mass invite, the contacts whose invitation failed in mass invite `id`.
pub fn retry_failed(
    inviter: &Inviter,
    agent: (i64, String),
    id: i64,
    submission_key: &str,
) -> Result<i64, MassInviteError> {
    let failed = {
        let mut conn = inviter.pool.get()?;
        find(&mut conn, id)?.ok_or(MassInviteError::NotFound)?;
        failed_contacts(&mut conn, id)?
    };
    if failed.is_empty() {
        return Err(MassInviteError::NothingFailed);
    }
    send(inviter, agent, failed, false, submission_key)
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

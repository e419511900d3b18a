//! Mass invites: the contacts an agent selected, invited while the agent waits. Each form
//! submission is one mass invite, keyed by a random value the form carries, so a double click
//! or a reload finds it already there and sends nothing twice. Its sender holds a claim on it
//! while sending (`lease`): when the mail server is slow the sending goes on after the page
//! answers, and when the sender's instance dies another instance's job runner finishes it.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::invitation::InvitationState;
use super::{
    lease, mark_interrupted, quota, random_key, InviteError, InviteRequest, InviteResult, Inviter,
    RowOutcome, SkipReason, INTERRUPTED,
};
use crate::audit::Actor;
use crate::db::schema::{
    agents, contacts, delivery_attempts, invitations, invite_batch_rows, invite_batches,
};
use crate::db::{now, write_transaction, DbConnection, ROWS_PER_STATEMENT};

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

/// Writes each row's outcome and the counts, and marks the mass invite finished, unless its
/// claim was lost meanwhile (another instance took it over and records it).
fn finish(
    conn: &mut DbConnection,
    claim: &MassInviteClaim,
    results: &[InviteResult],
) -> QueryResult<()> {
    let id = claim.id;
    let count = |kind: &str| {
        results
            .iter()
            .filter(|result| result.outcome.kind() == kind)
            .count() as i64
    };
    write_transaction(conn, |conn| {
        let kept = diesel::update(
            invite_batches::table
                .find(id)
                .filter(invite_batches::claim_token.eq(&claim.token)),
        )
        .set((
            invite_batches::invited.eq(count("invited")),
            invite_batches::skipped.eq(count("skipped")),
            invite_batches::failed.eq(count("failed")),
            invite_batches::unknown.eq(count("unknown")),
            invite_batches::finished_at.eq(now()),
            invite_batches::claimed_until.eq(None::<NaiveDateTime>),
            invite_batches::claim_token.eq(None::<String>),
        ))
        .execute(conn)?;
        if kept == 0 {
            return Ok(());
        }
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

/// Sends the claimed mass invite and records each row's outcome, renewing the claim meanwhile.
/// What an earlier holder already did is kept: its sent and failed invitations are counted as
/// they are, the ones it left pending read "Delivery unknown", and only the contacts it never
/// reached are invited now, so nobody gets two emails.
pub fn work(
    inviter: &Inviter,
    claim: &MassInviteClaim,
    lease: Duration,
) -> Result<(), MassInviteError> {
    let renew = || {
        let mut conn = inviter.pool.get().map_err(|error| error.to_string())?;
        renew(&mut conn, claim, lease).map_err(|error| error.to_string())
    };
    lease::holding(lease, renew, || send_and_record(inviter, claim))
}

fn send_and_record(inviter: &Inviter, claim: &MassInviteClaim) -> Result<(), MassInviteError> {
    let mut conn = inviter.pool.get()?;
    let mass_invite = find(&mut conn, claim.id)?.ok_or(MassInviteError::NotFound)?;
    let contact_ids = asked_contacts(&mut conn, claim.id)?;
    let agent: Option<(i64, String)> = match mass_invite.agent_id {
        Some(id) => agents::table
            .find(id)
            .select((agents::id, agents::name))
            .first(&mut conn)
            .optional()?,
        None => None,
    };
    let actor = agent
        .as_ref()
        .map_or(Actor::System, |(id, _)| Actor::Agent(*id));
    let mut earlier = earlier_outcomes(&mut conn, claim.id, actor)?;
    drop(conn);
    let not_reached: Vec<i64> = contact_ids
        .iter()
        .copied()
        .filter(|id| !earlier.contains_key(id))
        .collect();
    let mut fresh: HashMap<i64, InviteResult> = HashMap::new();
    if !not_reached.is_empty() {
        let invited = inviter.invite(&InviteRequest {
            contact_ids: not_reached.clone(),
            agent,
            resend: mass_invite.resend,
            mass_invite_id: Some(claim.id),
            bulk_job_id: None,
        });
        let results = match invited {
            Ok(results) => results,
            // Only a takeover meets this: the first sender checked the quota before it began.
            Err(InviteError::QuotaExceeded(_)) => not_reached
                .iter()
                .map(|&contact_id| InviteResult {
                    contact_id,
                    contact_name: String::new(),
                    email: None,
                    outcome: RowOutcome::Failed {
                        permanent: false,
                        code: None,
                        error: "the daily invitation quota was reached before it was sent"
                            .to_owned(),
                    },
                })
                .collect(),
            Err(error) => return Err(error.into()),
        };
        fresh = results
            .into_iter()
            .map(|result| (result.contact_id, result))
            .collect();
    }
    let mut seen = std::collections::HashSet::new();
    let results: Vec<InviteResult> = contact_ids
        .iter()
        .filter(|id| seen.insert(**id))
        .filter_map(|id| {
            fresh.remove(id).or_else(|| {
                earlier.remove(id).map(|outcome| InviteResult {
                    contact_id: *id,
                    contact_name: String::new(),
                    email: None,
                    outcome,
                })
            })
        })
        .collect();
    let mut conn = inviter.pool.get()?;
    finish(&mut conn, claim, &results)?;
    Ok(())
}

/// The outcome, by contact, of each invitation an earlier holder of mass invite `id` wrote;
/// the ones it left pending are marked interrupted.
fn earlier_outcomes(
    conn: &mut DbConnection,
    id: i64,
    actor: Actor,
) -> QueryResult<HashMap<i64, RowOutcome>> {
    type Written = (i64, i64, String, Option<NaiveDateTime>, Option<String>);
    let written: Vec<Written> = invitations::table
        .filter(invitations::batch_id.eq(id))
        .select((
            invitations::id,
            invitations::contact_id,
            invitations::state,
            invitations::unconfirmed_at,
            invitations::last_error,
        ))
        .load(conn)?;
    if written.is_empty() {
        return Ok(HashMap::new());
    }
    let pending: Vec<(i64, i64)> = written
        .iter()
        .filter(|row| InvitationState::parse(&row.2) == InvitationState::Pending)
        .map(|row| (row.0, row.1))
        .collect();
    mark_interrupted(conn, &pending, actor)?;
    let failed: Vec<i64> = written
        .iter()
        .filter(|row| InvitationState::parse(&row.2) == InvitationState::Failed)
        .map(|row| row.0)
        .collect();
    // Each failed invitation's last attempt says whether the refusal was permanent.
    let attempts: HashMap<i64, (String, Option<i64>)> = delivery_attempts::table
        .filter(delivery_attempts::invitation_id.eq_any(&failed))
        .order(delivery_attempts::id.asc())
        .select((
            delivery_attempts::invitation_id,
            delivery_attempts::outcome,
            delivery_attempts::smtp_code,
        ))
        .load::<(i64, String, Option<i64>)>(conn)?
        .into_iter()
        .map(|(invitation_id, outcome, code)| (invitation_id, (outcome, code)))
        .collect();
    Ok(written
        .into_iter()
        .map(
            |(invitation_id, contact_id, state, unconfirmed_at, last_error)| {
                let error = last_error.unwrap_or_default();
                let outcome = match InvitationState::parse(&state) {
                    InvitationState::Pending => RowOutcome::Unknown {
                        error: INTERRUPTED.to_owned(),
                    },
                    InvitationState::Failed => {
                        let (kind, code) =
                            attempts.get(&invitation_id).cloned().unwrap_or_default();
                        RowOutcome::Failed {
                            permanent: kind == "permanent_failure",
                            code: code.and_then(|code| u16::try_from(code).ok()),
                            error,
                        }
                    }
                    _ if unconfirmed_at.is_some() => RowOutcome::Unknown { error },
                    // Sent, and perhaps accepted or replaced since.
                    _ => RowOutcome::Invited,
                };
                (contact_id, outcome)
            },
        )
        .collect())
}

fn asked_contacts(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<i64>> {
    let listed: String = invite_batches::table
        .find(id)
        .select(invite_batches::contact_ids)
        .first(conn)?;
    Ok(serde_json::from_str(&listed).unwrap_or_default())
}

fn renew(conn: &mut DbConnection, claim: &MassInviteClaim, lease: Duration) -> QueryResult<bool> {
    let renewed = diesel::update(
        invite_batches::table
            .find(claim.id)
            .filter(invite_batches::claim_token.eq(&claim.token)),
    )
    .set(invite_batches::claimed_until.eq(now() + lease))
    .execute(conn)?;
    Ok(renewed == 1)
}

/// Claims an unfinished mass invite whose holder stopped renewing its claim (its instance
/// died), if there is one.
pub fn claim_abandoned(
    conn: &mut DbConnection,
    lease: Duration,
) -> QueryResult<Option<MassInviteClaim>> {
    let now = now();
    let ran_out = || {
        invite_batches::claimed_until
            .is_null()
            .or(invite_batches::claimed_until.lt(now))
    };
    let candidates: Vec<i64> = invite_batches::table
        .filter(invite_batches::finished_at.is_null())
        .filter(ran_out())
        .order(invite_batches::id.asc())
        .limit(8)
        .select(invite_batches::id)
        .load(conn)?;
    for id in candidates {
        let token = random_key();
        // A conditional update: of two instances trying at once, one changes the row.
        let claimed = write_transaction(conn, |conn| {
            diesel::update(
                invite_batches::table
                    .find(id)
                    .filter(invite_batches::finished_at.is_null())
                    .filter(ran_out()),
            )
            .set((
                invite_batches::claimed_until.eq(now + lease),
                invite_batches::claim_token.eq(&token),
            ))
            .execute(conn)
        })?;
        if claimed == 1 {
            return Ok(Some(MassInviteClaim { id, token }));
        }
    }
    Ok(None)
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
    Ok(asked_contacts(conn, id)?.len() as i64)
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

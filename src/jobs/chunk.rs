//! One chunk of a bulk job, worked by the runner that holds the job's claim (`claim`): the next
//! contacts after the job's cursor, then moves the cursor and adds the counts in one
//! transaction with the chunk's rows. A chunk interrupted mid-way is redone without a second
//! email: its contacts already hold invitations from this job, marked delivery unknown.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::claim::Claim;
use super::rows::{self, NotDone, RowKind};
use super::{JobAction, JobState};
use crate::accounts::Account;
use crate::agents::Agent;
use crate::audit::Actor;
use crate::contacts::ids_in_view;
use crate::contacts::mass::{self, MassChange};
use crate::contacts::ContactError;
use crate::db::schema::{bulk_invite_jobs, invitations};
use crate::db::{now, write_transaction, DbConnection};
use crate::help_center::settings::HelpCenterSettings;
use crate::invitations::invitation::InvitationState;
use crate::invitations::{
    mark_interrupted, quota, InviteError, InviteRequest, Inviter, RowOutcome, INTERRUPTED,
};

/// Contacts per chunk: what one runner does between two looks at the job's state, so Pause
/// and Cancel take effect within one chunk.
pub const CHUNK: i64 = 500;

/// What a runner needs to work any job.
#[derive(Clone)]
pub struct JobContext {
    pub inviter: Inviter,
    /// How long a claim lasts unless renewed; the runner renews it while it works.
    pub lease: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Invite(#[from] InviteError),
    #[error(transparent)]
    Contact(#[from] ContactError),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error(transparent)]
    Pool(#[from] diesel::r2d2::PoolError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkOutcome {
    Worked,
    Finished,
    /// The job was paused, cancelled or taken over meanwhile: nothing of the chunk is counted.
    ClaimLost,
    /// The agent reached the daily invitation quota: the job is paused where it stopped.
    StoppedAtQuota,
    /// The account a move goes to was deleted: the job is cancelled.
    AccountGone,
}

/// What one chunk did, before it is recorded.
#[derive(Default)]
struct Worked {
    done: i64,
    skipped: i64,
    failed: i64,
    unknown: i64,
    rows: Vec<NotDone>,
}

impl Worked {
    fn note(&mut self, contact_id: i64, kind: RowKind, reason: impl Into<String>) {
        match kind {
            RowKind::Skipped => self.skipped += 1,
            RowKind::Failed => self.failed += 1,
            RowKind::Unknown => self.unknown += 1,
        }
        self.rows.push(NotDone {
            contact_id,
            kind,
            reason: reason.into(),
        });
    }
}

/// Works the claimed job's next chunk.
pub fn work(context: &JobContext, claim: &Claim) -> Result<ChunkOutcome, JobError> {
    let job = &claim.job;
    let snapshot = job.snapshot()?;
    let mut conn = context.inviter.pool.get()?;
    let fetched = ids_in_view(
        &mut conn,
        &snapshot.criteria,
        snapshot.search.as_deref(),
        now(),
        job.cursor_contact_id,
        CHUNK,
    )?;
    // Ids come in order: past the newest contact the job started with, nothing is its own.
    let last_chunk = fetched.len() < CHUNK as usize
        || fetched.last().is_some_and(|id| *id >= job.max_contact_id);
    let ids: Vec<i64> = fetched
        .into_iter()
        .filter(|id| *id <= job.max_contact_id)
        .collect();
    let Some(&last) = ids.last() else {
        return record(
            &mut conn,
            claim,
            job.cursor_contact_id,
            Worked::default(),
            true,
        );
    };
    let actor = job.agent_id.map_or(Actor::System, Actor::Agent);
    let worked = match job.action().change(job.account_id) {
        None => {
            let agent = match job.agent_id {
                Some(id) => Agent::find(&mut conn, id)?.map(|agent| (agent.id, agent.name)),
                None => None,
            };
            drop(conn);
            match invite(context, claim, ids, agent)? {
                Invited::All(worked) => worked,
                Invited::UpTo(cursor, worked) => {
                    let mut conn = context.inviter.pool.get()?;
                    record(&mut conn, claim, cursor, worked, false)?;
                    set_state_if_running(&mut conn, job.id, JobState::Paused)?;
                    return Ok(ChunkOutcome::StoppedAtQuota);
                }
            }
        }
        Some(change) => {
            if let MassChange::Move(account_id) = change {
                let account = match account_id {
                    Some(id) => Account::find(&mut conn, id)?,
                    None => None,
                };
                if account.is_none() {
                    set_state_if_running(&mut conn, job.id, JobState::Cancelled)?;
                    return Ok(ChunkOutcome::AccountGone);
                }
            }
            let applied = mass::apply(&mut conn, change, &ids, actor)?;
            drop(conn);
            let mut worked = Worked {
                done: applied.changed as i64,
                ..Worked::default()
            };
            for (contact_id, reason) in &applied.left {
                worked.note(*contact_id, RowKind::Skipped, *reason);
            }
            // The others were already so (spam already, deleted already...).
            worked.skipped += ids.len() as i64 - worked.done - applied.left.len() as i64;
            worked
        }
    };
    let mut conn = context.inviter.pool.get()?;
    record(&mut conn, claim, last, worked, last_chunk)
}

enum Invited {
    All(Worked),
    /// The quota cut the chunk: the cursor stops at this contact.
    UpTo(i64, Worked),
}

fn invite(
    context: &JobContext,
    claim: &Claim,
    ids: Vec<i64>,
    agent: Option<(i64, String)>,
) -> Result<Invited, JobError> {
    let job = &claim.job;
    let resend = job.action() == JobAction::Resend;
    let mut worked = Worked::default();
    let mut conn = context.inviter.pool.get()?;
    let interrupted = pending_from_job(&mut conn, job.id, &ids)?;
    let candidates: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|id| !interrupted.iter().any(|(_, contact_id)| contact_id == id))
        .collect();
    // Under a daily quota the chunk ends where the agent's room for today does.
    let limit = HelpCenterSettings::load(&mut conn)?.daily_invite_quota;
    let (to_invite, quota_reached) = match (limit, &agent) {
        (Some(limit), Some((agent_id, _))) => {
            let room = quota::remaining(&mut conn, *agent_id, limit, now())?;
            quota::fit_chunk(&mut conn, candidates.clone(), room, resend, now())?
        }
        _ => (candidates.clone(), false),
    };
    // The chunk is what comes before the first contact the quota left for another day.
    let stop_before = candidates
        .get(to_invite.len())
        .copied()
        .filter(|_| quota_reached);
    let within = |id: &i64| stop_before.is_none_or(|stop| *id < stop);
    let interrupted: Vec<(i64, i64)> = interrupted
        .into_iter()
        .filter(|(_, contact_id)| within(contact_id))
        .collect();
    let actor = agent
        .as_ref()
        .map_or(Actor::System, |(id, _)| Actor::Agent(*id));
    mark_interrupted(&mut conn, &interrupted, actor)?;
    drop(conn);
    for (_, contact_id) in &interrupted {
        worked.note(*contact_id, RowKind::Unknown, INTERRUPTED);
    }
    if !to_invite.is_empty() {
        let results = match context.inviter.invite(&InviteRequest {
            contact_ids: to_invite,
            agent,
            resend,
            mass_invite_id: None,
            bulk_job_id: Some(job.id),
        }) {
            // The agent's other invites took the room meanwhile; nothing of this was written.
            Err(InviteError::QuotaExceeded(_)) => {
                return Ok(Invited::UpTo(job.cursor_contact_id, Worked::default()))
            }
            other => other?,
        };
        for result in results {
            match &result.outcome {
                RowOutcome::Invited => worked.done += 1,
                RowOutcome::Skipped(_) => {
                    worked.note(result.contact_id, RowKind::Skipped, result.outcome.reason())
                }
                RowOutcome::Failed { .. } => {
                    worked.note(result.contact_id, RowKind::Failed, result.outcome.reason())
                }
                RowOutcome::Unknown { .. } => {
                    worked.note(result.contact_id, RowKind::Unknown, result.outcome.reason())
                }
            }
        }
    }
    if quota_reached {
        let cursor = ids.iter().copied().rfind(within);
        return Ok(Invited::UpTo(
            cursor.unwrap_or(job.cursor_contact_id),
            worked,
        ));
    }
    Ok(Invited::All(worked))
}

/// Invitations (id, contact id) of this chunk's contacts written by this job but never
/// recorded as sent or failed: an earlier try at the chunk stopped mid-send.
fn pending_from_job(
    conn: &mut DbConnection,
    job_id: i64,
    ids: &[i64],
) -> QueryResult<Vec<(i64, i64)>> {
    invitations::table
        .filter(invitations::bulk_job_id.eq(job_id))
        .filter(invitations::contact_id.eq_any(ids))
        .filter(invitations::state.eq(InvitationState::Pending.as_str()))
        .select((invitations::id, invitations::contact_id))
        .load(conn)
}

/// Moves the cursor, adds the counts and writes the rows, unless the claim was lost; a
/// finished job reads Done at once.
fn record(
    conn: &mut DbConnection,
    claim: &Claim,
    cursor: i64,
    worked: Worked,
    finished: bool,
) -> Result<ChunkOutcome, JobError> {
    let job_id = claim.job.id;
    let timestamp = now();
    let kept = write_transaction(conn, |conn| {
        let updated = diesel::update(
            bulk_invite_jobs::table
                .find(job_id)
                .filter(bulk_invite_jobs::claim_token.eq(&claim.token)),
        )
        .set((
            bulk_invite_jobs::cursor_contact_id.eq(cursor),
            bulk_invite_jobs::invited.eq(bulk_invite_jobs::invited + worked.done),
            bulk_invite_jobs::skipped.eq(bulk_invite_jobs::skipped + worked.skipped),
            bulk_invite_jobs::failed.eq(bulk_invite_jobs::failed + worked.failed),
            bulk_invite_jobs::unknown.eq(bulk_invite_jobs::unknown + worked.unknown),
            bulk_invite_jobs::updated_at.eq(timestamp),
            bulk_invite_jobs::claimed_until.eq(None::<NaiveDateTime>),
            bulk_invite_jobs::claim_token.eq(None::<String>),
        ))
        .execute(conn)?;
        if updated == 0 {
            return Ok::<bool, diesel::result::Error>(false);
        }
        rows::record(conn, job_id, &worked.rows)?;
        if finished {
            // A job cancelled meanwhile stays cancelled; a paused one has nothing left.
            diesel::update(
                bulk_invite_jobs::table
                    .find(job_id)
                    .filter(bulk_invite_jobs::state.eq_any(["running", "paused"])),
            )
            .set((
                bulk_invite_jobs::state.eq(JobState::Done.as_str()),
                bulk_invite_jobs::finished_at.eq(timestamp),
            ))
            .execute(conn)?;
        }
        Ok(true)
    })?;
    if !kept {
        return Ok(ChunkOutcome::ClaimLost);
    }
    if finished {
        if claim.job.action().sends_mail() {
            analyze_contacts(conn);
        }
        return Ok(ChunkOutcome::Finished);
    }
    Ok(ChunkOutcome::Worked)
}

fn set_state_if_running(conn: &mut DbConnection, job_id: i64, state: JobState) -> QueryResult<()> {
    let timestamp = now();
    diesel::update(
        bulk_invite_jobs::table
            .find(job_id)
            .filter(bulk_invite_jobs::state.eq(JobState::Running.as_str())),
    )
    .set((
        bulk_invite_jobs::state.eq(state.as_str()),
        bulk_invite_jobs::updated_at.eq(timestamp),
        bulk_invite_jobs::finished_at.eq(state.is_over().then_some(timestamp)),
        bulk_invite_jobs::claimed_until.eq(None::<NaiveDateTime>),
        bulk_invite_jobs::claim_token.eq(None::<String>),
    ))
    .execute(conn)?;
    Ok(())
}

/// On PostgreSQL, after a finished job: a whole view's statuses just changed, and until the
/// statistics show it the planner counts expired invitations by reading every invited contact
/// (see the migration `contacts_analyzed_sooner`). Fresh statistics now, not at autovacuum's
/// next round. A failure only costs speed, so it is logged, not shown.
fn analyze_contacts(conn: &mut DbConnection) {
    use diesel::connection::SimpleConnection;
    if let DbConnection::Postgresql(pg) = conn {
        if let Err(error) = pg.batch_execute("ANALYZE contacts") {
            tracing::warn!(%error, "could not analyze the contacts after a bulk invite");
        }
    }
}

//! Bulk invites of a whole view: a job remembers the view's criteria and how far it got, and is
//! worked one chunk per request. A chunk is claimed atomically first, so two tabs or two app
//! instances never work the same chunk, and a chunk interrupted mid-way is redone without a
//! second email (its contacts already hold live invitations and are skipped).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::{quota, InviteError, InviteRequest, Inviter, RowOutcome};
use crate::db::models::contact::{ids_in_view, Criteria};
use crate::db::models::setting::HelpCenterSettings;
use crate::db::schema::{agents, bulk_invite_jobs, contacts};
use crate::db::{now, write_transaction, DbConnection};

/// Contacts invited per chunk: one request's worth of work.
pub const CHUNK: i64 = 500;
/// A claim not released within this long is considered abandoned (the tab closed, the
/// instance stopped), and the chunk may be claimed again.
const CLAIM_SECONDS: i64 = 120;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Running,
    Paused,
    Done,
    Cancelled,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Running => "running",
            JobState::Paused => "paused",
            JobState::Done => "done",
            JobState::Cancelled => "cancelled",
        }
    }

    pub fn parse(value: &str) -> JobState {
        match value {
            "paused" => JobState::Paused,
            "done" => JobState::Done,
            "cancelled" => JobState::Cancelled,
            _ => JobState::Running,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            JobState::Running => "Running",
            JobState::Paused => "Paused",
            JobState::Done => "Done",
            JobState::Cancelled => "Cancelled",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Snapshot {
    criteria: Criteria,
    search: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = bulk_invite_jobs)]
pub struct BulkJob {
    pub id: i64,
    pub agent_id: Option<i64>,
    pub description: String,
    pub criteria: String,
    pub max_contact_id: i64,
    pub total: i64,
    pub cursor_contact_id: i64,
    pub invited: i64,
    pub skipped: i64,
    pub failed: i64,
    pub state: String,
    pub claimed_until: Option<NaiveDateTime>,
    pub claim_token: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
}

impl BulkJob {
    pub fn state(&self) -> JobState {
        JobState::parse(&self.state)
    }

    pub fn processed(&self) -> i64 {
        self.invited + self.skipped + self.failed
    }

    pub fn percent(&self) -> i64 {
        if self.total == 0 {
            100
        } else {
            (self.processed() * 100 / self.total).min(100)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkOutcome {
    Worked {
        invited: i64,
        skipped: i64,
        failed: i64,
    },
    Finished,
    /// Another tab or instance holds the claim, or the job is paused or over.
    NotClaimed,
    /// The agent reached the daily invitation quota: the job is paused where it stopped.
    StoppedAtQuota {
        invited: i64,
        limit: u32,
    },
}

pub fn create(
    conn: &mut DbConnection,
    agent_id: i64,
    description: &str,
    criteria: &Criteria,
    search: Option<&str>,
    total: i64,
) -> QueryResult<i64> {
    let snapshot = serde_json::to_string(&Snapshot {
        criteria: criteria.clone(),
        search: search.map(str::to_owned),
    })
    .map_err(|error| diesel::result::Error::SerializationError(Box::new(error)))?;
    write_transaction(conn, |conn| {
        // Contacts added after the job starts are not part of the view the agent chose.
        let max_contact_id: Option<i64> = contacts::table
            .select(diesel::dsl::max(contacts::id))
            .first(conn)?;
        let timestamp = now();
        diesel::insert_into(bulk_invite_jobs::table)
            .values((
                bulk_invite_jobs::agent_id.eq(agent_id),
                bulk_invite_jobs::description.eq(description),
                bulk_invite_jobs::criteria.eq(&snapshot),
                bulk_invite_jobs::max_contact_id.eq(max_contact_id.unwrap_or(0)),
                bulk_invite_jobs::total.eq(total),
                bulk_invite_jobs::state.eq(JobState::Running.as_str()),
                bulk_invite_jobs::created_at.eq(timestamp),
                bulk_invite_jobs::updated_at.eq(timestamp),
            ))
            .returning(bulk_invite_jobs::id)
            .get_result(conn)
    })
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<BulkJob>> {
    bulk_invite_jobs::table
        .find(id)
        .select(BulkJob::as_select())
        .first(conn)
        .optional()
}

/// The newest jobs with the name of the agent who started each.
pub fn recent(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<(BulkJob, Option<String>)>> {
    bulk_invite_jobs::table
        .left_join(agents::table.on(bulk_invite_jobs::agent_id.eq(agents::id.nullable())))
        .order((
            bulk_invite_jobs::created_at.desc(),
            bulk_invite_jobs::id.desc(),
        ))
        .limit(limit)
        .select((BulkJob::as_select(), agents::name.nullable()))
        .load(conn)
}

/// Moves a job between running, paused and cancelled; a finished job stays as it is.
pub fn set_state(conn: &mut DbConnection, id: i64, state: JobState) -> QueryResult<bool> {
    let allowed_from: &[&str] = match state {
        JobState::Paused => &["running"],
        JobState::Running => &["paused"],
        JobState::Cancelled => &["running", "paused"],
        JobState::Done => &[],
    };
    let timestamp = now();
    let finished_at = (state == JobState::Cancelled).then_some(timestamp);
    let changed = diesel::update(
        bulk_invite_jobs::table
            .find(id)
            .filter(bulk_invite_jobs::state.eq_any(allowed_from)),
    )
    .set((
        bulk_invite_jobs::state.eq(state.as_str()),
        bulk_invite_jobs::updated_at.eq(timestamp),
        bulk_invite_jobs::finished_at.eq(finished_at),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

fn claim(conn: &mut DbConnection, id: i64, token: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let claimed = diesel::update(
        bulk_invite_jobs::table
            .find(id)
            .filter(bulk_invite_jobs::state.eq(JobState::Running.as_str()))
            .filter(
                bulk_invite_jobs::claimed_until
                    .is_null()
                    .or(bulk_invite_jobs::claimed_until.lt(now)),
            ),
    )
    .set((
        bulk_invite_jobs::claimed_until.eq(now + Duration::seconds(CLAIM_SECONDS)),
        bulk_invite_jobs::claim_token.eq(token),
    ))
    .execute(conn)?;
    Ok(claimed == 1)
}

/// Claims the next chunk, invites it, and moves the job's cursor past it.
pub fn work_chunk(
    inviter: &Inviter,
    job_id: i64,
    agent: (i64, String),
) -> Result<ChunkOutcome, InviteError> {
    let token = super::random_key();
    let mut conn = inviter.pool.get()?;
    let now = now();
    if !write_transaction(&mut conn, |conn| claim(conn, job_id, &token, now))? {
        return Ok(ChunkOutcome::NotClaimed);
    }
    let Some(job) = find(&mut conn, job_id)? else {
        return Ok(ChunkOutcome::NotClaimed);
    };
    let snapshot: Snapshot = serde_json::from_str(&job.criteria)
        .map_err(|error| diesel::result::Error::DeserializationError(Box::new(error)))?;
    let ids: Vec<i64> = ids_in_view(
        &mut conn,
        &snapshot.criteria,
        snapshot.search.as_deref(),
        now,
        job.cursor_contact_id,
        CHUNK,
    )?
    .into_iter()
    .filter(|id| *id <= job.max_contact_id)
    .collect();
    if ids.is_empty() {
        write_transaction(&mut conn, |conn| {
            diesel::update(
                bulk_invite_jobs::table
                    .find(job_id)
                    .filter(bulk_invite_jobs::claim_token.eq(&token)),
            )
            .set((
                bulk_invite_jobs::state.eq(JobState::Done.as_str()),
                bulk_invite_jobs::finished_at.eq(now),
                bulk_invite_jobs::updated_at.eq(now),
                bulk_invite_jobs::claimed_until.eq(None::<NaiveDateTime>),
                bulk_invite_jobs::claim_token.eq(None::<String>),
            ))
            .execute(conn)
        })?;
        analyze_contacts(&mut conn);
        return Ok(ChunkOutcome::Finished);
    }
    // Under a daily quota the chunk ends where the agent's room for today does.
    let limit = HelpCenterSettings::load(&mut conn)?.daily_invite_quota;
    let (ids, quota_reached) = match limit {
        Some(limit) => {
            let room = quota::remaining(&mut conn, agent.0, limit, now)?;
            quota::fit_chunk(&mut conn, ids, room, now)?
        }
        None => (ids, false),
    };
    let Some(last) = ids.last().copied() else {
        stop_at_quota(&mut conn, job_id, &token)?;
        return Ok(ChunkOutcome::StoppedAtQuota {
            invited: 0,
            limit: limit.unwrap_or(0),
        });
    };
    drop(conn);
    let results = match inviter.invite(&InviteRequest {
        contact_ids: ids,
        agent: Some(agent),
        resend: false,
        batch_id: None,
        bulk_job_id: Some(job_id),
    }) {
        // The agent's other invites took the room meanwhile; nothing of this chunk was written.
        Err(InviteError::QuotaExceeded(refusal)) => {
            let mut conn = inviter.pool.get()?;
            stop_at_quota(&mut conn, job_id, &token)?;
            return Ok(ChunkOutcome::StoppedAtQuota {
                invited: 0,
                limit: refusal.limit,
            });
        }
        other => other?,
    };
    let count = |kind: &str| {
        results
            .iter()
            .filter(|result| result.outcome.kind() == kind)
            .count() as i64
    };
    let (invited, skipped, failed) = (count("invited"), count("skipped"), count("failed"));
    debug_assert!(results.iter().all(|result| !matches!(
        result.outcome,
        RowOutcome::Skipped(super::SkipReason::NotFound)
    )));
    let mut conn = inviter.pool.get()?;
    let timestamp = crate::db::now();
    write_transaction(&mut conn, |conn| {
        diesel::update(
            bulk_invite_jobs::table
                .find(job_id)
                .filter(bulk_invite_jobs::claim_token.eq(&token)),
        )
        .set((
            bulk_invite_jobs::cursor_contact_id.eq(last),
            bulk_invite_jobs::invited.eq(bulk_invite_jobs::invited + invited),
            bulk_invite_jobs::skipped.eq(bulk_invite_jobs::skipped + skipped),
            bulk_invite_jobs::failed.eq(bulk_invite_jobs::failed + failed),
            bulk_invite_jobs::updated_at.eq(timestamp),
            bulk_invite_jobs::claimed_until.eq(None::<NaiveDateTime>),
            bulk_invite_jobs::claim_token.eq(None::<String>),
        ))
        .execute(conn)
    })?;
    if let Some(limit) = limit.filter(|_| quota_reached) {
        set_state(&mut conn, job_id, JobState::Paused)?;
        return Ok(ChunkOutcome::StoppedAtQuota { invited, limit });
    }
    Ok(ChunkOutcome::Worked {
        invited,
        skipped,
        failed,
    })
}

/// Pauses the job and releases this request's claim, leaving its cursor where it was.
fn stop_at_quota(conn: &mut DbConnection, job_id: i64, token: &str) -> QueryResult<usize> {
    let timestamp = crate::db::now();
    diesel::update(
        bulk_invite_jobs::table
            .find(job_id)
            .filter(bulk_invite_jobs::claim_token.eq(token)),
    )
    .set((
        bulk_invite_jobs::state.eq(JobState::Paused.as_str()),
        bulk_invite_jobs::updated_at.eq(timestamp),
        bulk_invite_jobs::claimed_until.eq(None::<NaiveDateTime>),
        bulk_invite_jobs::claim_token.eq(None::<String>),
    ))
    .execute(conn)
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

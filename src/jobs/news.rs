//! Telling agents that a bulk job they started ended: their next page says so, once.

use diesel::prelude::*;

use super::BulkJob;
use crate::agents::Agent;
use crate::db::schema::{agents, bulk_invite_jobs};
use crate::db::{now, DbConnection};

/// The agent, and whether a bulk job of theirs ended since they were last told: one
/// statement, since every agent page reads the agent anyway (a query of its own on every page
/// cost a PostgreSQL round trip each).
pub fn agent_with_job_news(
    conn: &mut DbConnection,
    agent_id: i64,
) -> QueryResult<Option<(Agent, bool)>> {
    let untold = diesel::dsl::exists(
        bulk_invite_jobs::table
            .filter(bulk_invite_jobs::agent_id.eq(agents::id.nullable()))
            .filter(bulk_invite_jobs::finished_at.is_not_null())
            .filter(bulk_invite_jobs::announced_at.is_null()),
    );
    // `load` rather than `first`: as `Agent::find`, so the statement is prepared once.
    Ok(agents::table
        .find(agent_id)
        .select((Agent::as_select(), untold))
        .load(conn)?
        .pop())
}

/// The agent's jobs that ended since they were last told: their next page says so once.
pub fn finished_untold(conn: &mut DbConnection, agent_id: i64) -> QueryResult<Vec<BulkJob>> {
    bulk_invite_jobs::table
        .filter(bulk_invite_jobs::agent_id.eq(agent_id))
        .filter(bulk_invite_jobs::finished_at.is_not_null())
        .filter(bulk_invite_jobs::announced_at.is_null())
        .order(bulk_invite_jobs::id.asc())
        .select(BulkJob::as_select())
        .load(conn)
}

/// Marks jobs as told; false when another page of the agent's told them first.
pub fn mark_told(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<bool> {
    let told = diesel::update(
        bulk_invite_jobs::table
            .filter(bulk_invite_jobs::id.eq_any(ids))
            .filter(bulk_invite_jobs::announced_at.is_null()),
    )
    .set(bulk_invite_jobs::announced_at.eq(now()))
    .execute(conn)?;
    Ok(told == ids.len())
}

/// What the agent's next page says of jobs that ended.
pub fn finished_message(jobs: &[BulkJob]) -> String {
    jobs.iter()
        .map(|job| format!("Bulk job “{}” ended: {}.", job.title(), job.summary()))
        .collect::<Vec<_>>()
        .join(" ")
}

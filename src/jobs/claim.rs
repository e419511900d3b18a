//! A job's lease: a runner claims the running job that waited longest, one instance at a
//! time, and renews the claim while it works; a claim no one renews runs out (the instance
//! died), and another runner takes the job over.

use chrono::Duration;
use diesel::prelude::*;

use super::{find, BulkJob, JobState};
use crate::db::schema::bulk_invite_jobs;
use crate::db::{now, write_transaction, DbConnection};
use crate::invitations::random_key;

/// A job this runner holds until it records the chunk or the lease runs out.
pub struct Claim {
    pub job: BulkJob,
    pub(super) token: String,
}

/// Claims the running job that waited longest for a chunk, if any is free.
pub fn claim_next(conn: &mut DbConnection, lease: Duration) -> QueryResult<Option<Claim>> {
    let now = now();
    let candidates: Vec<i64> = bulk_invite_jobs::table
        .filter(bulk_invite_jobs::state.eq(JobState::Running.as_str()))
        .filter(
            bulk_invite_jobs::claimed_until
                .is_null()
                .or(bulk_invite_jobs::claimed_until.lt(now)),
        )
        .order((
            bulk_invite_jobs::updated_at.asc(),
            bulk_invite_jobs::id.asc(),
        ))
        .limit(8)
        .select(bulk_invite_jobs::id)
        .load(conn)?;
    for id in candidates {
        let token = random_key();
        // A conditional update: of two instances trying at once, one changes the row.
        let claimed = write_transaction(conn, |conn| {
            diesel::update(
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
                bulk_invite_jobs::claimed_until.eq(now + lease),
                bulk_invite_jobs::claim_token.eq(&token),
            ))
            .execute(conn)
        })?;
        if claimed == 1 {
            if let Some(job) = find(conn, id)? {
                return Ok(Some(Claim { job, token }));
            }
        }
    }
    Ok(None)
}

/// Keeps the claim while the chunk is worked; false once it was lost.
pub fn renew(conn: &mut DbConnection, claim: &Claim, lease: Duration) -> QueryResult<bool> {
    let renewed = diesel::update(
        bulk_invite_jobs::table
            .find(claim.job.id)
            .filter(bulk_invite_jobs::claim_token.eq(&claim.token)),
    )
    .set(bulk_invite_jobs::claimed_until.eq(now() + lease))
    .execute(conn)?;
    Ok(renewed == 1)
}

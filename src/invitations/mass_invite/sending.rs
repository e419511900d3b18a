//! Sending a mass invite under its claim: the request that started it, or any instance's job
//! runner once the sender's claim ran out (it died), runs the same `work`.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::{find, MassInviteClaim, MassInviteError};
use crate::audit::Actor;
use crate::db::schema::{
    agents, delivery_attempts, invitations, invite_batch_rows, invite_batches,
};
use crate::db::{now, write_transaction, DbConnection, ROWS_PER_STATEMENT};
use crate::invitations::invitation::InvitationState;
use crate::invitations::{
    lease, mark_interrupted, random_key, InviteError, InviteRequest, InviteResult, Inviter,
    RowOutcome, SkipReason, INTERRUPTED,
};

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

pub(super) fn asked_contacts(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<i64>> {
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

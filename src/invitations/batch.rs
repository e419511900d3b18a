//! Mass invites: each form submission is one batch, keyed by a random value the form carries,
//! so a double click or a reload finds the batch already there and sends nothing twice.

use diesel::prelude::*;

use super::{InviteResult, RowOutcome, SkipReason};
use crate::db::schema::{contacts, invite_batch_rows, invite_batches};
use crate::db::{now, write_transaction, DbConnection, ROWS_PER_STATEMENT};

/// The most contacts one mass invite takes; more go through a bulk job.
pub const MAX_MASS_INVITE: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchStart {
    New(i64),
    AlreadySubmitted(i64),
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = invite_batches)]
pub struct Batch {
    pub id: i64,
    pub agent_id: Option<i64>,
    pub submission_key: String,
    pub invited: i64,
    pub skipped: i64,
    pub failed: i64,
    pub created_at: chrono::NaiveDateTime,
}

#[derive(Debug, Clone)]
pub struct BatchRow {
    pub contact_id: i64,
    pub contact_name: String,
    pub email: Option<String>,
    pub outcome: String,
    pub reason: String,
}

pub fn start(
    conn: &mut DbConnection,
    agent_id: i64,
    submission_key: &str,
) -> QueryResult<BatchStart> {
    write_transaction(conn, |conn| {
        let existing: Option<i64> = invite_batches::table
            .filter(invite_batches::submission_key.eq(submission_key))
            .select(invite_batches::id)
            .first(conn)
            .optional()?;
        if let Some(id) = existing {
            return Ok(BatchStart::AlreadySubmitted(id));
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
            Some(id) => Ok(BatchStart::New(id)),
            None => invite_batches::table
                .filter(invite_batches::submission_key.eq(submission_key))
                .select(invite_batches::id)
                .first(conn)
                .map(BatchStart::AlreadySubmitted),
        }
    })
}

pub fn finish(conn: &mut DbConnection, batch_id: i64, results: &[InviteResult]) -> QueryResult<()> {
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
                    invite_batch_rows::batch_id.eq(batch_id),
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
        diesel::update(invite_batches::table.find(batch_id))
            .set((
                invite_batches::invited.eq(count("invited")),
                invite_batches::skipped.eq(count("skipped")),
                invite_batches::failed.eq(count("failed")),
            ))
            .execute(conn)?;
        Ok(())
    })
}

pub fn find(conn: &mut DbConnection, batch_id: i64) -> QueryResult<Option<Batch>> {
    invite_batches::table
        .find(batch_id)
        .select(Batch::as_select())
        .first(conn)
        .optional()
}

pub fn rows(conn: &mut DbConnection, batch_id: i64) -> QueryResult<Vec<BatchRow>> {
    let rows: Vec<(i64, String, Option<String>, String, String)> = invite_batch_rows::table
        .inner_join(contacts::table)
        .filter(invite_batch_rows::batch_id.eq(batch_id))
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
            |(contact_id, contact_name, email, outcome, reason)| BatchRow {
                contact_id,
                contact_name,
                email,
                outcome,
                reason,
            },
        )
        .collect())
}

pub fn failed_contacts(conn: &mut DbConnection, batch_id: i64) -> QueryResult<Vec<i64>> {
    invite_batch_rows::table
        .filter(invite_batch_rows::batch_id.eq(batch_id))
        .filter(invite_batch_rows::outcome.eq("failed"))
        .select(invite_batch_rows::contact_id)
        .load(conn)
}

/// "Invited 47 · Skipped 3 (2 spam, 1 already activated) · Failed 1".
pub fn summary(batch: &Batch, rows: &[BatchRow]) -> String {
    let mut reasons: Vec<(String, usize)> = Vec::new();
    for row in rows.iter().filter(|row| row.outcome == "skipped") {
        match reasons.iter_mut().find(|(reason, _)| *reason == row.reason) {
            Some((_, count)) => *count += 1,
            None => reasons.push((row.reason.clone(), 1)),
        }
    }
    let mut text = format!("Invited {} · Skipped {}", batch.invited, batch.skipped);
    if !reasons.is_empty() {
        let detail: Vec<String> = reasons
            .iter()
            .map(|(reason, count)| format!("{count} {reason}"))
            .collect();
        text.push_str(&format!(" ({})", detail.join(", ")));
    }
    text.push_str(&format!(" · Failed {}", batch.failed));
    text
}

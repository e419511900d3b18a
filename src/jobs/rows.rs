//! The contacts a job did not act on, each with why: skipped, failed, or delivery unknown.

use diesel::prelude::*;

use crate::db::schema::{bulk_job_rows, contacts, invitations};
use crate::db::{DbConnection, ROWS_PER_STATEMENT};
use crate::domain::HelpCenterStatus;
use crate::invitations::invitation::InvitationState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    Skipped,
    Failed,
    /// The chunk sending this contact's email was interrupted: it may or may not have left.
    Unknown,
}

impl RowKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RowKind::Skipped => "skipped",
            RowKind::Failed => "failed",
            RowKind::Unknown => "unknown",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RowKind::Skipped => "Skipped",
            RowKind::Failed => "Failed",
            RowKind::Unknown => "Delivery unknown",
        }
    }

    fn parse(value: &str) -> RowKind {
        match value {
            "failed" => RowKind::Failed,
            "unknown" => RowKind::Unknown,
            _ => RowKind::Skipped,
        }
    }
}

/// One contact a chunk did not act on.
#[derive(Debug, Clone)]
pub struct NotDone {
    pub contact_id: i64,
    pub kind: RowKind,
    pub reason: String,
}

/// A listed row, with the contact as it is now.
#[derive(Debug, Clone)]
pub struct ListedRow {
    pub contact_id: i64,
    pub name: String,
    pub email: Option<String>,
    pub kind: RowKind,
    pub reason: String,
}

/// Writes a chunk's rows; a chunk redone after an interruption writes each contact once.
pub fn record(conn: &mut DbConnection, job_id: i64, rows: &[NotDone]) -> QueryResult<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let contact_ids: Vec<i64> = chunk.iter().map(|row| row.contact_id).collect();
        diesel::delete(
            bulk_job_rows::table
                .filter(bulk_job_rows::job_id.eq(job_id))
                .filter(bulk_job_rows::contact_id.eq_any(&contact_ids)),
        )
        .execute(conn)?;
        let values: Vec<_> = chunk
            .iter()
            .map(|row| {
                (
                    bulk_job_rows::job_id.eq(job_id),
                    bulk_job_rows::contact_id.eq(row.contact_id),
                    bulk_job_rows::outcome.eq(row.kind.as_str()),
                    bulk_job_rows::reason.eq(&row.reason),
                )
            })
            .collect();
        let insert = diesel::insert_into(bulk_job_rows::table).values(values);
        match conn {
            DbConnection::Sqlite(sqlite) => insert.execute(sqlite)?,
            DbConnection::Postgresql(pg) => insert.execute(pg)?,
        };
    }
    Ok(())
}

/// A page of the job's rows in contact order, after `after_contact_id`; `kind` narrows it.
pub fn page(
    conn: &mut DbConnection,
    job_id: i64,
    kind: Option<RowKind>,
    after_contact_id: i64,
    limit: i64,
) -> QueryResult<Vec<ListedRow>> {
    let mut query = bulk_job_rows::table
        .inner_join(contacts::table)
        .filter(bulk_job_rows::job_id.eq(job_id))
        .filter(bulk_job_rows::contact_id.gt(after_contact_id))
        .into_boxed();
    if let Some(kind) = kind {
        query = query.filter(bulk_job_rows::outcome.eq(kind.as_str()));
    }
    let rows: Vec<(i64, String, Option<String>, String, String)> = query
        .order(bulk_job_rows::contact_id.asc())
        .limit(limit)
        .select((
            bulk_job_rows::contact_id,
            contacts::name,
            contacts::email,
            bulk_job_rows::outcome,
            bulk_job_rows::reason,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(contact_id, name, email, kind, reason)| ListedRow {
            contact_id,
            name,
            email,
            kind: RowKind::parse(&kind),
            reason,
        })
        .collect())
}

/// Up to `limit` contacts an agent can still act on: failed ones whose invitation is still
/// failed (for Retry failed), or ones whose delivery is unknown and whose invitation from
/// this job is still pending or unconfirmed (for Resend). Once retried or resent they drop
/// out.
pub fn still_open(
    conn: &mut DbConnection,
    job_id: i64,
    kind: RowKind,
    limit: i64,
) -> QueryResult<Vec<i64>> {
    let rows = bulk_job_rows::table
        .inner_join(contacts::table)
        .filter(bulk_job_rows::job_id.eq(job_id))
        .filter(bulk_job_rows::outcome.eq(kind.as_str()))
        .filter(contacts::deleted_at.is_null())
        .into_boxed();
    let rows = match kind {
        RowKind::Failed => rows
            .filter(contacts::help_center_status.eq(HelpCenterStatus::InvitationFailed.as_str())),
        RowKind::Unknown => rows.filter(diesel::dsl::exists(
            invitations::table
                .filter(invitations::contact_id.eq(bulk_job_rows::contact_id))
                .filter(invitations::bulk_job_id.eq(job_id))
                .filter(
                    invitations::state.eq(InvitationState::Pending.as_str()).or(
                        invitations::unconfirmed_at
                            .is_not_null()
                            .and(invitations::state.eq(InvitationState::Sent.as_str())),
                    ),
                ),
        )),
        RowKind::Skipped => return Ok(Vec::new()),
    };
    rows.order(bulk_job_rows::contact_id.asc())
        .limit(limit)
        .select(bulk_job_rows::contact_id)
        .load(conn)
}

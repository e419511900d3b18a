//! Bulk jobs: one action (invite, resend, spam, not spam, delete, restore, move) applied to
//! every contact of a view. A job remembers the view's criteria and how far it got; the job
//! runner of every instance (`runner`) works it chunk by chunk (`chunk`), so it goes on when
//! the agent's tab closes or the instance that started it stops. What a chunk did not do, and
//! why, is kept row by row (`rows`).

pub mod chunk;
pub mod claim;
pub mod forecast;
mod news;
pub mod rows;
pub mod runner;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::contacts::mass::MassChange;
use crate::contacts::Criteria;
use crate::db::schema::{agents, bulk_invite_jobs};
use crate::db::{now, write_transaction, DbConnection};
use crate::invitations::access::AccessChange;

pub use chunk::{ChunkOutcome, JobContext};
pub use news::{agent_with_job_news, finished_message, finished_untold, mark_told};
pub use runner::{JobRunner, JobWaker};

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

    pub fn is_over(self) -> bool {
        matches!(self, JobState::Done | JobState::Cancelled)
    }
}

/// What a job does to each contact of its view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobAction {
    Invite,
    /// A new link for contacts whose invitation is pending or expired; the old link stops.
    Resend,
    Spam,
    NotSpam,
    Delete,
    Restore,
    Move,
    Deactivate,
    Reactivate,
}

impl JobAction {
    pub const ALL: [JobAction; 9] = [
        JobAction::Invite,
        JobAction::Resend,
        JobAction::Spam,
        JobAction::NotSpam,
        JobAction::Delete,
        JobAction::Restore,
        JobAction::Move,
        JobAction::Deactivate,
        JobAction::Reactivate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobAction::Invite => "invite",
            JobAction::Resend => "resend",
            JobAction::Spam => "spam",
            JobAction::NotSpam => "not_spam",
            JobAction::Delete => "delete",
            JobAction::Restore => "restore",
            JobAction::Move => "move",
            JobAction::Deactivate => "deactivate",
            JobAction::Reactivate => "reactivate",
        }
    }

    pub fn parse(value: &str) -> Option<JobAction> {
        JobAction::ALL
            .into_iter()
            .find(|action| action.as_str() == value)
    }

    /// The action bar's button for it.
    pub fn label(self) -> &'static str {
        match self {
            JobAction::Invite => "Invite to Help Center",
            JobAction::Resend => "Resend invitation",
            JobAction::Spam => "Mark as spam",
            JobAction::NotSpam => "Not spam",
            JobAction::Delete => "Delete",
            JobAction::Restore => "Restore",
            JobAction::Move => "Move to account",
            JobAction::Deactivate => "Deactivate Help Center access",
            JobAction::Reactivate => "Reactivate Help Center access",
        }
    }

    /// The count of contacts it acted on, as the job page and the list name it.
    pub fn done_label(self) -> &'static str {
        match self {
            JobAction::Invite => "Invited",
            JobAction::Resend => "Resent",
            JobAction::Spam => "Marked as spam",
            JobAction::NotSpam => "Marked as not spam",
            JobAction::Delete => "Deleted",
            JobAction::Restore => "Restored",
            JobAction::Move => "Moved",
            JobAction::Deactivate => "Deactivated",
            JobAction::Reactivate => "Reactivated",
        }
    }

    pub fn sends_mail(self) -> bool {
        matches!(self, JobAction::Invite | JobAction::Resend)
    }

    /// The change it makes to contacts (a move, to `account_id`); none for the invitations.
    pub fn change(self, account_id: Option<i64>) -> Option<MassChange> {
        Some(match self {
            JobAction::Invite | JobAction::Resend => return None,
            JobAction::Spam => MassChange::Spam,
            JobAction::NotSpam => MassChange::NotSpam,
            JobAction::Delete => MassChange::Delete,
            JobAction::Restore => MassChange::Restore,
            JobAction::Move => MassChange::Move(account_id),
            JobAction::Deactivate => MassChange::Access(AccessChange::Deactivate),
            JobAction::Reactivate => MassChange::Access(AccessChange::Reactivate),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Snapshot {
    pub criteria: Criteria,
    pub search: Option<String>,
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
    /// Contacts the action was applied to: invited, resent, marked, deleted, restored, moved.
    pub invited: i64,
    pub skipped: i64,
    pub failed: i64,
    pub state: String,
    pub claimed_until: Option<NaiveDateTime>,
    pub claim_token: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
    pub action: String,
    pub account_id: Option<i64>,
    /// Emails that may or may not have left when the chunk sending them was interrupted.
    pub unknown: i64,
    pub announced_at: Option<NaiveDateTime>,
}

impl BulkJob {
    pub fn state(&self) -> JobState {
        JobState::parse(&self.state)
    }

    pub fn action(&self) -> JobAction {
        JobAction::parse(&self.action).unwrap_or(JobAction::Invite)
    }

    pub fn processed(&self) -> i64 {
        self.invited + self.skipped + self.failed + self.unknown
    }

    pub fn percent(&self) -> i64 {
        if self.total == 0 || self.state() == JobState::Done {
            100
        } else {
            (self.processed() * 100 / self.total).min(100)
        }
    }

    /// "Done · 1100 of 1100 processed · Invited 1095 · Skipped 5 · Failed 0".
    pub fn summary(&self) -> String {
        format!("{} · {}", self.state().label(), self.progress_line())
    }

    /// The summary without the state: what the job page updates while the job runs.
    pub fn progress_line(&self) -> String {
        let mut line = format!(
            "{} of {} processed · {} {} · Skipped {}",
            self.processed(),
            self.total,
            self.action().done_label(),
            self.invited,
            self.skipped,
        );
        if self.action().sends_mail() {
            line.push_str(&format!(" · Failed {}", self.failed));
        }
        if self.unknown > 0 {
            line.push_str(&format!(" · Delivery unknown {}", self.unknown));
        }
        line
    }

    /// "Invite to Help Center: All contacts".
    pub fn title(&self) -> String {
        format!("{}: {}", self.action().label(), self.description)
    }

    pub(crate) fn snapshot(&self) -> QueryResult<Snapshot> {
        serde_json::from_str(&self.criteria)
            .map_err(|error| diesel::result::Error::DeserializationError(Box::new(error)))
    }
}

/// A job as the agent asked for it.
pub struct NewJob<'a> {
    pub agent_id: i64,
    pub action: JobAction,
    /// Where a move takes the contacts.
    pub account_id: Option<i64>,
    pub description: &'a str,
    pub criteria: &'a Criteria,
    pub search: Option<&'a str>,
    pub total: i64,
}

pub fn create(conn: &mut DbConnection, job: &NewJob) -> QueryResult<i64> {
    use crate::db::schema::contacts;
    // Relative dates ("in the last 7 days") stay as they were when the job started.
    let criteria = Criteria {
        pinned_at: job.criteria.pinned_at.or(Some(now())),
        ..job.criteria.clone()
    };
    let snapshot = serde_json::to_string(&Snapshot {
        criteria,
        search: job.search.map(str::to_owned),
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
                bulk_invite_jobs::agent_id.eq(job.agent_id),
                bulk_invite_jobs::action.eq(job.action.as_str()),
                bulk_invite_jobs::account_id.eq(job.account_id),
                bulk_invite_jobs::description.eq(job.description),
                bulk_invite_jobs::criteria.eq(&snapshot),
                bulk_invite_jobs::max_contact_id.eq(max_contact_id.unwrap_or(0)),
                bulk_invite_jobs::total.eq(job.total),
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

/// How many jobs are running now, for the link on Contacts.
pub fn running_count(conn: &mut DbConnection) -> QueryResult<i64> {
    bulk_invite_jobs::table
        .filter(bulk_invite_jobs::state.eq(JobState::Running.as_str()))
        .count()
        .get_result(conn)
}

/// Moves a job between running, paused and cancelled; a finished job stays as it is. The
/// runner reads the state before each chunk, so the change takes effect within one chunk.
pub fn set_state(conn: &mut DbConnection, id: i64, state: JobState) -> QueryResult<bool> {
    let allowed_from: &[&str] = match state {
        JobState::Paused => &["running"],
        JobState::Running => &["paused"],
        JobState::Cancelled => &["running", "paused"],
        JobState::Done => &[],
    };
    let timestamp = now();
    // The agent who cancels a job knows it ended: no later page needs to say so.
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
        bulk_invite_jobs::announced_at.eq(finished_at),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

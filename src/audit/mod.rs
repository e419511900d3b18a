//! The audit trail: every change an agent, a customer or the system makes is recorded here.

mod actions;
pub mod log;

use diesel::prelude::*;

use crate::db::schema::audit_events;
use crate::db::{now, DbConnection};

/// Who did something worth an audit trail.
#[derive(Debug, Clone, Copy)]
pub enum Actor {
    Agent(i64),
    Contact(i64),
    System,
}

impl Actor {
    fn columns(self) -> (Option<i64>, Option<i64>) {
        match self {
            Actor::Agent(id) => (Some(id), None),
            Actor::Contact(id) => (None, Some(id)),
            Actor::System => (None, None),
        }
    }
}

/// One event about a contact, for `record_for_contacts`.
pub struct ContactEvent<'a> {
    pub action: &'a str,
    pub contact_id: i64,
    pub details: String,
}

/// Several events by one actor, each about a contact: one statement per chunk rather than one
/// per event (on PostgreSQL each statement is a round trip).
pub fn record_for_contacts(
    conn: &mut DbConnection,
    actor: Actor,
    events: &[ContactEvent],
) -> QueryResult<usize> {
    let (actor_agent_id, actor_contact_id) = actor.columns();
    let occurred_at = now();
    let mut written = 0;
    for chunk in events.chunks(crate::db::ROWS_PER_STATEMENT) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|event| {
                (
                    audit_events::occurred_at.eq(occurred_at),
                    audit_events::actor_agent_id.eq(actor_agent_id),
                    audit_events::actor_contact_id.eq(actor_contact_id),
                    audit_events::action.eq(event.action),
                    audit_events::subject_type.eq("contact"),
                    audit_events::subject_id.eq(Some(event.contact_id)),
                    audit_events::details.eq(event.details.as_str()),
                )
            })
            .collect();
        let insert = diesel::insert_into(audit_events::table).values(rows);
        written += match conn {
            DbConnection::Sqlite(sqlite) => insert.execute(sqlite)?,
            DbConnection::Postgresql(pg) => insert.execute(pg)?,
        };
    }
    Ok(written)
}

pub fn record(
    conn: &mut DbConnection,
    actor: Actor,
    action: &str,
    subject: (&str, Option<i64>),
    details: &str,
) -> QueryResult<usize> {
    let (actor_agent_id, actor_contact_id) = actor.columns();
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::occurred_at.eq(now()),
            audit_events::actor_agent_id.eq(actor_agent_id),
            audit_events::actor_contact_id.eq(actor_contact_id),
            audit_events::action.eq(action),
            audit_events::subject_type.eq(subject.0),
            audit_events::subject_id.eq(subject.1),
            audit_events::details.eq(details),
        ))
        .execute(conn)
}

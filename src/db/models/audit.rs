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

pub fn record(
    conn: &mut DbConnection,
    actor: Actor,
    action: &str,
    subject: (&str, Option<i64>),
    details: &str,
) -> QueryResult<usize> {
    let (actor_agent_id, actor_contact_id) = match actor {
        Actor::Agent(id) => (Some(id), None),
        Actor::Contact(id) => (None, Some(id)),
        Actor::System => (None, None),
    };
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

//! Reading the audit trail: the admins' log (filtered, newest first, a page at a time) and a
//! contact's own history. Events are written by `audit::record`.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{agents, audit_events, contacts};
use crate::db::DbConnection;

pub use super::actions::{describe, KNOWN_ACTIONS};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
struct EventRow {
    id: i64,
    occurred_at: NaiveDateTime,
    actor_agent_id: Option<i64>,
    actor_contact_id: Option<i64>,
    action: String,
    subject_type: String,
    subject_id: Option<i64>,
    details: String,
}

/// Who did it, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActorName {
    Agent(String),
    Contact { id: i64, name: String },
    System,
}

impl ActorName {
    pub fn text(&self) -> &str {
        match self {
            ActorName::Agent(name) | ActorName::Contact { name, .. } => name,
            ActorName::System => "System",
        }
    }

    pub fn contact_id(&self) -> Option<i64> {
        match self {
            ActorName::Contact { id, .. } => Some(*id),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub id: i64,
    pub occurred_at: NaiveDateTime,
    pub actor: ActorName,
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<i64>,
    /// The subject's name when it is a contact or an agent still on record.
    pub subject_name: Option<String>,
    pub details: String,
}

impl AuditEntry {
    pub fn action_words(&self) -> &str {
        describe(&self.action)
    }

    /// Where the subject can be opened, if anywhere.
    pub fn subject_href(&self) -> Option<String> {
        let id = self.subject_id?;
        match self.subject_type.as_str() {
            "contact" if self.subject_name.is_some() => Some(format!("/contacts/{id}")),
            "ticket" => Some(format!("/tickets/{id}")),
            "kb_article" => Some(format!("/knowledge-base/{id}")),
            "account" if self.action != "account.deleted" => Some(format!("/accounts/{id}")),
            _ => None,
        }
    }

    pub fn subject_text(&self) -> String {
        let kind = match self.subject_type.as_str() {
            "contact" => "Contact",
            "ticket" => "Ticket",
            "kb_article" => "Article",
            "agent" => "Agent",
            "account" => "Account",
            "settings" => "Settings",
            other => other,
        };
        match (&self.subject_name, self.subject_id) {
            (Some(name), _) => name.clone(),
            (None, Some(id)) => format!("{kind} #{id}"),
            (None, None) => kind.to_owned(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub agent_id: Option<i64>,
    pub action: Option<String>,
    pub from: Option<NaiveDateTime>,
    /// Exclusive.
    pub until: Option<NaiveDateTime>,
}

/// A position in the log, which runs newest first: an event's time and id (the tie-breaker).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditCursor {
    pub occurred_at: NaiveDateTime,
    pub id: i64,
}

const CURSOR_TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.f";

impl AuditCursor {
    pub fn encode(&self) -> String {
        format!(
            "{}~{}",
            self.occurred_at.format(CURSOR_TIME_FORMAT),
            self.id
        )
    }

    pub fn decode(encoded: &str) -> Option<AuditCursor> {
        let (time, id) = encoded.rsplit_once('~')?;
        Some(AuditCursor {
            occurred_at: NaiveDateTime::parse_from_str(time, CURSOR_TIME_FORMAT).ok()?,
            id: id.parse().ok()?,
        })
    }

    fn of(entry: &AuditEntry) -> AuditCursor {
        AuditCursor {
            occurred_at: entry.occurred_at,
            id: entry.id,
        }
    }
}

pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Older events, and newer ones, when there are any.
    pub older: Option<AuditCursor>,
    pub newer: Option<AuditCursor>,
}

/// One page of the log. `backward` walks toward newer events from the cursor.
pub fn page(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    cursor: Option<AuditCursor>,
    backward: bool,
    page_size: i64,
) -> QueryResult<AuditPage> {
    let mut query = audit_events::table
        .select(EventRow::as_select())
        .into_boxed();
    if let Some(agent_id) = filter.agent_id {
        query = query.filter(audit_events::actor_agent_id.eq(agent_id));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_events::action.eq(action.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_events::occurred_at.ge(from));
    }
    if let Some(until) = filter.until {
        query = query.filter(audit_events::occurred_at.lt(until));
    }
    query = match (cursor, backward) {
        (Some(cursor), false) => query.filter(
            audit_events::occurred_at
                .lt(cursor.occurred_at)
                .or(audit_events::occurred_at
                    .eq(cursor.occurred_at)
                    .and(audit_events::id.lt(cursor.id))),
        ),
        (Some(cursor), true) => query.filter(
            audit_events::occurred_at
                .gt(cursor.occurred_at)
                .or(audit_events::occurred_at
                    .eq(cursor.occurred_at)
                    .and(audit_events::id.gt(cursor.id))),
        ),
        (None, _) => query,
    };
    query = if backward {
        query.order((audit_events::occurred_at.asc(), audit_events::id.asc()))
    } else {
        query.order((audit_events::occurred_at.desc(), audit_events::id.desc()))
    };
    let mut rows: Vec<EventRow> = query.limit(page_size + 1).load(conn)?;
    let more = rows.len() as i64 > page_size;
    rows.truncate(usize::try_from(page_size).unwrap_or(0));
    if backward {
        rows.reverse();
    }
    let entries = with_names(conn, rows)?;
    let first = entries.first().map(AuditCursor::of);
    let last = entries.last().map(AuditCursor::of);
    let (older, newer) = if backward {
        (last, first.filter(|_| more))
    } else {
        (last.filter(|_| more), first.filter(|_| cursor.is_some()))
    };
    Ok(AuditPage {
        entries,
        older,
        newer,
    })
}

/// The newest events about one contact.
pub fn for_contact(
    conn: &mut DbConnection,
    contact_id: i64,
    limit: i64,
) -> QueryResult<Vec<AuditEntry>> {
    let rows = audit_events::table
        .filter(audit_events::subject_type.eq("contact"))
        .filter(audit_events::subject_id.eq(contact_id))
        .order((audit_events::occurred_at.desc(), audit_events::id.desc()))
        .limit(limit)
        .select(EventRow::as_select())
        .load(conn)?;
    with_names(conn, rows)
}

/// Looks up every agent and contact the rows mention in two queries.
fn with_names(conn: &mut DbConnection, rows: Vec<EventRow>) -> QueryResult<Vec<AuditEntry>> {
    let subject_ids = |kind: &str| {
        rows.iter()
            .filter(|row| row.subject_type == kind)
            .filter_map(|row| row.subject_id)
            .collect::<Vec<_>>()
    };
    let mut agent_ids: Vec<i64> = rows.iter().filter_map(|row| row.actor_agent_id).collect();
    agent_ids.extend(subject_ids("agent"));
    let mut contact_ids: Vec<i64> = rows.iter().filter_map(|row| row.actor_contact_id).collect();
    contact_ids.extend(subject_ids("contact"));
    agent_ids.sort_unstable();
    agent_ids.dedup();
    contact_ids.sort_unstable();
    contact_ids.dedup();
    let agent_names: HashMap<i64, String> = agents::table
        .filter(agents::id.eq_any(&agent_ids))
        .select((agents::id, agents::name))
        .load(conn)?
        .into_iter()
        .collect();
    let contact_names: HashMap<i64, String> = contacts::table
        .filter(contacts::id.eq_any(&contact_ids))
        .select((contacts::id, contacts::name))
        .load(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let actor = match (row.actor_agent_id, row.actor_contact_id) {
                (Some(id), _) => ActorName::Agent(
                    agent_names
                        .get(&id)
                        .cloned()
                        .unwrap_or_else(|| format!("Agent #{id}")),
                ),
                (None, Some(id)) => ActorName::Contact {
                    id,
                    name: contact_names
                        .get(&id)
                        .cloned()
                        .unwrap_or_else(|| format!("Contact #{id}")),
                },
                (None, None) => ActorName::System,
            };
            let names = match row.subject_type.as_str() {
                "contact" => Some(&contact_names),
                "agent" => Some(&agent_names),
                _ => None,
            };
            let subject_name = names
                .zip(row.subject_id)
                .and_then(|(names, id)| names.get(&id).cloned());
            AuditEntry {
                id: row.id,
                occurred_at: row.occurred_at,
                actor,
                action: row.action,
                subject_type: row.subject_type,
                subject_id: row.subject_id,
                subject_name,
                details: row.details,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_survives_its_trip_through_a_url() {
        let cursor = AuditCursor {
            occurred_at: chrono::DateTime::from_timestamp(1_700_000_000, 123_456_000)
                .map(|at| at.naive_utc())
                .unwrap(),
            id: 42,
        };
        assert_eq!(AuditCursor::decode(&cursor.encode()), Some(cursor));
        assert_eq!(AuditCursor::decode("nonsense"), None);
    }
}

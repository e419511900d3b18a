//! What an admin does to other agents in Settings → Agents: add, edit, disable and enable,
//! each in one transaction with its audit event. Portico keeps at least one enabled admin.

use diesel::prelude::*;

use super::{Agent, AgentRole, NewAgent};
use crate::audit::{self, Actor};
use crate::auth::sessions::{self, Holder};
use crate::db::schema::agents;
use crate::db::{now, write_transaction, DbConnection};

fn is_unique_violation(error: &diesel::result::Error) -> bool {
    matches!(
        error,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// Adds `agent` for the admin `admin_id` and records it; `None` when the address is taken
/// (someone added it a moment ago). `emailed`: the new agent was sent a link to choose a password.
pub fn add(
    conn: &mut DbConnection,
    admin_id: i64,
    agent: &NewAgent<'_>,
    emailed: bool,
) -> QueryResult<Option<i64>> {
    let added = write_transaction(conn, |conn| {
        let id = agent.insert(conn)?;
        let how = if emailed {
            ", emailed a link to choose a password"
        } else {
            ""
        };
        audit::record(
            conn,
            Actor::Agent(admin_id),
            "agent.created",
            ("agent", Some(id)),
            &format!("{} ({}{how})", agent.email, agent.role),
        )?;
        Ok(id)
    });
    match added {
        Ok(id) => Ok(Some(id)),
        Err(error) if is_unique_violation(&error) => Ok(None),
        Err(error) => Err(error),
    }
}

/// Disables or enables the agent `target_id` for the admin `admin_id`: the agent, and whether
/// this changed anything (it may already have been so). `None` when there is no such agent.
pub fn set_disabled(
    conn: &mut DbConnection,
    admin_id: i64,
    target_id: i64,
    disable: bool,
) -> QueryResult<Option<(Agent, bool)>> {
    write_transaction(conn, |conn| {
        let Some(target) = Agent::find(conn, target_id)? else {
            return Ok(None);
        };
        let now = now();
        let changed = diesel::update(
            agents::table
                .find(target_id)
                .filter(agents::disabled_at.is_null().eq(disable)),
        )
        .set((
            agents::disabled_at.eq(disable.then_some(now)),
            agents::updated_at.eq(now),
        ))
        .execute(conn)?
            == 1;
        if changed && disable {
            sessions::end_all_but(conn, Holder::Agent(target_id), None)?;
        }
        if changed {
            let action = if disable {
                "agent.disabled"
            } else {
                "agent.enabled"
            };
            audit::record(
                conn,
                Actor::Agent(admin_id),
                action,
                ("agent", Some(target_id)),
                &target.email,
            )?;
        }
        Ok(Some((target, changed)))
    })
}

/// What an edit of an agent's profile came to.
pub enum Edited {
    /// Saved; what the audit log says changed (nothing, if the form was as stored).
    Done {
        changes: Vec<String>,
    },
    EmailTaken,
    /// The agent is the only enabled admin and would become an agent.
    LastAdmin,
}

/// The admin `admin_id` sets agent `target_id`'s name, email and role; `None` when there is
/// no such agent.
pub fn edit(
    conn: &mut DbConnection,
    admin_id: i64,
    target_id: i64,
    name: &str,
    email: &str,
    role: AgentRole,
) -> QueryResult<Option<Edited>> {
    let edited = write_transaction(conn, |conn| {
        let Some(before) = Agent::find(conn, target_id)? else {
            return Ok(None);
        };
        let taken = Agent::find_by_email(conn, email)?.is_some_and(|other| other.id != target_id);
        if taken {
            return Ok(Some(Edited::EmailTaken));
        }
        let demoted = before.role() == AgentRole::Admin && role == AgentRole::Agent;
        if demoted && !before.is_disabled() && Agent::other_enabled_admins(conn, target_id)? == 0 {
            return Ok(Some(Edited::LastAdmin));
        }
        Agent::update_profile(conn, target_id, name, email, role, now())?;
        let changes = changes(&before, name, email, role);
        if !changes.is_empty() {
            audit::record(
                conn,
                Actor::Agent(admin_id),
                "agent.updated",
                ("agent", Some(target_id)),
                &changes.join("; "),
            )?;
        }
        Ok(Some(Edited::Done { changes }))
    });
    match edited {
        // Another agent took the address a moment ago.
        Err(error) if is_unique_violation(&error) => Ok(Some(Edited::EmailTaken)),
        other => other,
    }
}

/// What the audit log says changed, one phrase a field.
fn changes(before: &Agent, name: &str, email: &str, role: AgentRole) -> Vec<String> {
    let mut changes = Vec::new();
    if before.name != name {
        changes.push(format!("name: {} → {name}", before.name));
    }
    if before.email != email {
        changes.push(format!("email: {} → {email}", before.email));
    }
    if before.role() != role {
        changes.push(format!("role: {} → {}", before.role, role.as_str()));
    }
    changes
}

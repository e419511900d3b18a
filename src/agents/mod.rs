//! Agents: who signs in to Portico, their roles, passwords and sessions.

mod admin;
pub mod emails;
pub mod password_reset;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::audit::{self, Actor};
use crate::auth::sessions::{self, Holder, SessionKey};
use crate::db::schema::agents;
use crate::db::DbConnection;
use crate::domain::TimeZone;

pub use admin::{add, edit, set_disabled, Edited};

/// How an agent's password came to change, as the audit log tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordChange {
    /// On their Change password page, the current one typed.
    Changed,
    /// Through an emailed "Forgot password?" link.
    ResetByEmail,
}

impl PasswordChange {
    fn action(self) -> &'static str {
        match self {
            PasswordChange::Changed => "agent.password_changed",
            PasswordChange::ResetByEmail => "agent.password_reset",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentRole {
    Admin,
    Agent,
}

impl AgentRole {
    pub fn as_str(self) -> &'static str {
        match self {
            AgentRole::Admin => "admin",
            AgentRole::Agent => "agent",
        }
    }

    pub fn parse(value: &str) -> AgentRole {
        if value == "admin" {
            AgentRole::Admin
        } else {
            AgentRole::Agent
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = agents)]
pub struct Agent {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub password_hash: String,
    pub disabled_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub password_changed_at: Option<NaiveDateTime>,
    /// An IANA name; unset until the agent's browser or choice says.
    pub time_zone: Option<String>,
    /// Emails them each Help Center ticket that no agent has answered yet.
    pub notify_new_tickets: bool,
}

impl Agent {
    /// The zone the agent's pages show times in: theirs, or UTC until they have one.
    pub fn zone(&self) -> TimeZone {
        self.time_zone
            .as_deref()
            .and_then(TimeZone::parse)
            .unwrap_or_default()
    }

    /// Keeps the agent's time zone; `only_if_unset` for the browser's guess at sign-in,
    /// which never overrides a choice.
    pub fn set_time_zone(
        conn: &mut DbConnection,
        id: i64,
        zone: TimeZone,
        only_if_unset: bool,
    ) -> QueryResult<usize> {
        let set = agents::time_zone.eq(zone.name());
        if only_if_unset {
            diesel::update(agents::table.find(id).filter(agents::time_zone.is_null()))
                .set(set)
                .execute(conn)
        } else {
            diesel::update(agents::table.find(id))
                .set(set)
                .execute(conn)
        }
    }

    pub fn set_notify_new_tickets(
        conn: &mut DbConnection,
        id: i64,
        notify: bool,
    ) -> QueryResult<usize> {
        diesel::update(agents::table.find(id))
            .set(agents::notify_new_tickets.eq(notify))
            .execute(conn)
    }

    pub fn role(&self) -> AgentRole {
        AgentRole::parse(&self.role)
    }

    pub fn is_admin(&self) -> bool {
        self.role() == AgentRole::Admin
    }

    pub fn is_disabled(&self) -> bool {
        self.disabled_at.is_some()
    }

    /// Avoids `first()`: SQLite re-prepares a statement with a bound LIMIT on each run, and
    /// without one the prepared statement is reused.
    pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Agent>> {
        Ok(agents::table
            .find(id)
            .select(Agent::as_select())
            .load(conn)?
            .pop())
    }

    pub fn find_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<Agent>> {
        agents::table
            .filter(agents::email.eq(email))
            .select(Agent::as_select())
            .first(conn)
            .optional()
    }

    /// Ends every session of the agent but `kept`, recorded in the audit log.
    pub fn end_other_sessions(
        conn: &mut DbConnection,
        id: i64,
        kept: &SessionKey,
    ) -> QueryResult<()> {
        crate::db::write_transaction(conn, |conn| {
            sessions::end_all_but(conn, Holder::Agent(id), Some(kept))?;
            audit::record(
                conn,
                Actor::Agent(id),
                "agent.signed_out_elsewhere",
                ("agent", Some(id)),
                "",
            )?;
            Ok(())
        })
    }

    /// The agent's new password, recorded in the audit log: their sessions but `kept` end
    /// and their outstanding reset links stop working. Call inside a transaction.
    pub fn set_password(
        conn: &mut DbConnection,
        id: i64,
        password_hash: &str,
        how: PasswordChange,
        kept: Option<&SessionKey>,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        diesel::update(agents::table.find(id))
            .set((
                agents::password_hash.eq(password_hash),
                agents::password_changed_at.eq(now),
                agents::updated_at.eq(now),
            ))
            .execute(conn)?;
        sessions::end_all_but(conn, Holder::Agent(id), kept)?;
        password_reset::retire(conn, id, now)?;
        audit::record(
            conn,
            Actor::Agent(id),
            how.action(),
            ("agent", Some(id)),
            "",
        )?;
        Ok(())
    }

    /// The agent's own new password, typed while signed in on the session `kept`.
    pub fn change_password(
        conn: &mut DbConnection,
        id: i64,
        password_hash: &str,
        kept: &SessionKey,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        crate::db::write_transaction(conn, |conn| {
            Agent::set_password(
                conn,
                id,
                password_hash,
                PasswordChange::Changed,
                Some(kept),
                now,
            )
        })
    }

    pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
        agents::table.count().get_result(conn)
    }

    /// How many enabled admins there are besides `except_id`.
    pub fn other_enabled_admins(conn: &mut DbConnection, except_id: i64) -> QueryResult<i64> {
        agents::table
            .filter(agents::id.ne(except_id))
            .filter(agents::role.eq(AgentRole::Admin.as_str()))
            .filter(agents::disabled_at.is_null())
            .count()
            .get_result(conn)
    }

    /// Sets an agent's name, email and role.
    pub fn update_profile(
        conn: &mut DbConnection,
        id: i64,
        name: &str,
        email: &str,
        role: AgentRole,
        now: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(agents::table.find(id))
            .set((
                agents::name.eq(name),
                agents::email.eq(email),
                agents::role.eq(role.as_str()),
                agents::updated_at.eq(now),
            ))
            .execute(conn)
    }

    pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<Agent>> {
        agents::table
            .order(agents::name.asc())
            .select(Agent::as_select())
            .load(conn)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = agents)]
pub struct NewAgent<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub password_hash: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl NewAgent<'_> {
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<i64> {
        diesel::insert_into(agents::table)
            .values(self)
            .returning(agents::id)
            .get_result(conn)
    }
}

//! One-time links that set an agent's password: emailed to an agent who forgot theirs
//! ("Forgot password?" on the sign-in page), or to a new agent an admin added without one.
//! Issued, looked at, used. Only a link's digest is stored; a link works once, until it
//! expires, and only for an enabled agent.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::agents::{Agent, PasswordChange};
use crate::db::schema::{agent_password_resets, agents};
use crate::db::{write_transaction, DbConnection};
use crate::domain::LinkToken;
use crate::help_center::links::IssuedToken;

/// What a link is for, which sets how long it lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// A key to an existing agent's account, asked for by whoever typed the address: brief.
    Reset,
    /// A new agent's first password, sent by an admin: long enough for a weekend.
    Welcome,
}

impl LinkPurpose {
    pub fn lifetime(self) -> Duration {
        match self {
            LinkPurpose::Reset => Duration::hours(1),
            LinkPurpose::Welcome => Duration::hours(72),
        }
    }
}

/// Stores a new link's digest for `agent_id`. Expired links are swept out here.
pub fn issue(
    conn: &mut DbConnection,
    agent_id: i64,
    purpose: LinkPurpose,
    now: NaiveDateTime,
) -> QueryResult<IssuedToken> {
    let token = LinkToken::generate();
    let expires_at = now + purpose.lifetime();
    write_transaction(conn, |conn| {
        diesel::delete(
            agent_password_resets::table.filter(agent_password_resets::expires_at.le(now)),
        )
        .execute(conn)?;
        diesel::insert_into(agent_password_resets::table)
            .values((
                agent_password_resets::agent_id.eq(agent_id),
                agent_password_resets::token_digest.eq(token.digest()),
                agent_password_resets::expires_at.eq(expires_at),
                agent_password_resets::created_at.eq(now),
            ))
            .execute(conn)
    })?;
    Ok(IssuedToken { token, expires_at })
}

/// The link's row and its agent, if the link is unused and unexpired and the agent enabled:
/// every kind of invalid link looks the same. Looking does not use it up (mail scanners
/// open links).
fn usable(
    conn: &mut DbConnection,
    token: &LinkToken,
    now: NaiveDateTime,
) -> QueryResult<Option<(i64, Agent)>> {
    let found = agent_password_resets::table
        .inner_join(agents::table)
        .filter(agent_password_resets::token_digest.eq(token.digest()))
        .filter(agent_password_resets::used_at.is_null())
        .filter(agent_password_resets::expires_at.gt(now))
        .select((agent_password_resets::id, Agent::as_select()))
        .first::<(i64, Agent)>(conn)
        .optional()?;
    Ok(found.filter(|(_, agent)| !agent.is_disabled()))
}

/// The agent a still-usable link is for.
pub fn agent_for(
    conn: &mut DbConnection,
    token: &LinkToken,
    now: NaiveDateTime,
) -> QueryResult<Option<Agent>> {
    Ok(usable(conn, token, now)?.map(|(_, agent)| agent))
}

/// Sets the new password through the link, in one transaction that uses the link up; returns
/// the agent to sign in, or nothing when the link (or the agent) is no longer good. However
/// many requests race with one link, one sets the password.
pub fn redeem(
    conn: &mut DbConnection,
    token: &LinkToken,
    password_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<i64>> {
    write_transaction(conn, |conn| {
        let Some((link_id, agent)) = usable(conn, token, now)? else {
            return Ok(None);
        };
        let used = diesel::update(
            agent_password_resets::table
                .find(link_id)
                .filter(agent_password_resets::used_at.is_null()),
        )
        .set(agent_password_resets::used_at.eq(now))
        .execute(conn)?;
        if used != 1 {
            return Ok(None);
        }
        Agent::set_password(
            conn,
            agent.id,
            password_hash,
            PasswordChange::ResetByEmail,
            None,
            now,
        )?;
        Ok(Some(agent.id))
    })
}

/// After any password change an older link must not change it again.
pub fn retire(conn: &mut DbConnection, agent_id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        agent_password_resets::table
            .filter(agent_password_resets::agent_id.eq(agent_id))
            .filter(agent_password_resets::used_at.is_null()),
    )
    .set(agent_password_resets::used_at.eq(now))
    .execute(conn)
}

//! Sessions on the server: a row for each signed-in browser, found by the digest of the token
//! its cookie carries, so that signing out, disabling an account or signing out other sessions
//! ends a session whatever copy of its cookie exists.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::sessions;
use crate::db::DbConnection;
use crate::domain::LinkToken;

/// A signed-in session ends after this long without a request...
pub const IDLE_TIMEOUT: Duration = Duration::hours(2);
/// ...and after this long in any case.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::hours(12);
/// Refreshing the idle clock is a write; once a minute is precise enough.
const LAST_SEEN_GRANULARITY: Duration = Duration::minutes(1);
/// Enough of a user agent to recognise a browser by.
const USER_AGENT_MAX_CHARS: usize = 300;

/// Whose session it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    Agent(i64),
    Customer(i64),
}

impl Holder {
    pub fn id(self) -> i64 {
        match self {
            Holder::Agent(id) | Holder::Customer(id) => id,
        }
    }
}

/// The browser a session was signed in from, as it introduced itself.
#[derive(Debug, Clone)]
pub struct Browser {
    pub client_address: String,
    pub user_agent: String,
}

/// A cookie's claim to a session: its holder and the digest of its token.
#[derive(Debug, Clone)]
pub struct SessionKey {
    pub holder: Holder,
    pub token_digest: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct SignedInSession {
    pub id: i64,
    pub token_digest: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub client_address: String,
    pub user_agent: String,
}

impl SignedInSession {
    fn timed_out(&self, now: NaiveDateTime) -> bool {
        now - self.last_seen_at > IDLE_TIMEOUT || now - self.created_at > ABSOLUTE_TIMEOUT
    }
}

type SessionsQuery = sessions::BoxedQuery<'static, crate::db::MultiBackend>;

/// The holder's sessions.
fn of(holder: Holder) -> SessionsQuery {
    match holder {
        Holder::Agent(id) => sessions::table
            .filter(sessions::agent_id.eq(id))
            .into_boxed(),
        Holder::Customer(id) => sessions::table
            .filter(sessions::contact_id.eq(id))
            .into_boxed(),
    }
}

/// Signs a browser in: a new session row, and the token for its cookie. Sessions that timed
/// out, anyone's, are forgotten here, so the table holds only live ones.
pub fn start(
    conn: &mut DbConnection,
    holder: Holder,
    browser: &Browser,
    now: NaiveDateTime,
) -> QueryResult<LinkToken> {
    diesel::delete(
        sessions::table.filter(
            sessions::last_seen_at
                .lt(now - IDLE_TIMEOUT)
                .or(sessions::created_at.lt(now - ABSOLUTE_TIMEOUT)),
        ),
    )
    .execute(conn)?;
    let token = LinkToken::generate();
    let (agent_id, contact_id) = match holder {
        Holder::Agent(id) => (Some(id), None),
        Holder::Customer(id) => (None, Some(id)),
    };
    diesel::insert_into(sessions::table)
        .values((
            sessions::token_digest.eq(token.digest()),
            sessions::agent_id.eq(agent_id),
            sessions::contact_id.eq(contact_id),
            sessions::created_at.eq(now),
            sessions::last_seen_at.eq(now),
            sessions::client_address.eq(&browser.client_address),
            sessions::user_agent.eq(browser
                .user_agent
                .chars()
                .take(USER_AGENT_MAX_CHARS)
                .collect::<String>()),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Whether the cookie's session is still signed in: one indexed read, and once a minute a
/// write of its last request's time. A session that timed out is deleted.
pub fn check(conn: &mut DbConnection, key: &SessionKey, now: NaiveDateTime) -> QueryResult<bool> {
    let found = of(key.holder)
        .filter(sessions::token_digest.eq(key.token_digest.clone()))
        .select(SignedInSession::as_select())
        .first(conn)
        .optional()?;
    let Some(session) = found else {
        return Ok(false);
    };
    if session.timed_out(now) {
        diesel::delete(sessions::table.find(session.id)).execute(conn)?;
        return Ok(false);
    }
    if now - session.last_seen_at >= LAST_SEEN_GRANULARITY {
        diesel::update(sessions::table.find(session.id))
            .set(sessions::last_seen_at.eq(now))
            .execute(conn)?;
    }
    Ok(true)
}

/// Signs the cookie's session out.
pub fn end(conn: &mut DbConnection, key: &SessionKey) -> QueryResult<()> {
    diesel::delete(sessions::table.filter(sessions::token_digest.eq(&key.token_digest)))
        .execute(conn)?;
    Ok(())
}

/// Signs out one of the holder's sessions, as listed; false when it is not theirs or gone.
pub fn end_listed(conn: &mut DbConnection, holder: Holder, id: i64) -> QueryResult<bool> {
    let ids: Vec<i64> = of(holder)
        .filter(sessions::id.eq(id))
        .select(sessions::id)
        .load(conn)?;
    let ended = diesel::delete(sessions::table.filter(sessions::id.eq_any(ids))).execute(conn)?;
    Ok(ended == 1)
}

/// Signs out every session of the holder (disabled, deactivated) but the one kept, if any.
pub fn end_all_but(
    conn: &mut DbConnection,
    holder: Holder,
    kept: Option<&SessionKey>,
) -> QueryResult<usize> {
    let mut doomed = of(holder).select(sessions::id);
    if let Some(kept) = kept {
        doomed = doomed.filter(sessions::token_digest.ne(kept.token_digest.clone()));
    }
    let ids: Vec<i64> = doomed.load(conn)?;
    diesel::delete(sessions::table.filter(sessions::id.eq_any(ids))).execute(conn)
}

/// Signs out the customers behind contacts that were deleted or marked as spam.
pub fn end_for_contacts(conn: &mut DbConnection, contact_ids: &[i64]) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::contact_id.eq_any(contact_ids))).execute(conn)
}

/// The holder's live sessions, the most recently used first.
pub fn list(
    conn: &mut DbConnection,
    holder: Holder,
    now: NaiveDateTime,
) -> QueryResult<Vec<SignedInSession>> {
    let mut listed: Vec<SignedInSession> = of(holder)
        .select(SignedInSession::as_select())
        .order((sessions::last_seen_at.desc(), sessions::id.desc()))
        .load(conn)?;
    listed.retain(|session| !session.timed_out(now));
    Ok(listed)
}

//! The daily invitation quota: how many invitations one agent may create per UTC day, counted
//! from the invitations they created since midnight (resends count: each is a new email).

use std::collections::{HashMap, HashSet};
use std::fmt;

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::{decide, Decision};
use crate::contacts::Contact;
use crate::db::schema::{agents, contacts, invitations};
use crate::db::DbConnection;
use crate::help_center::settings::HelpCenterSettings;
use crate::invitations::invitation::Invitation;

/// An invite refused because it would take the agent past the day's limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaExceeded {
    pub remaining: u32,
    pub limit: u32,
}

impl fmt::Display for QuotaExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let noun = if self.remaining == 1 {
            "invitation"
        } else {
            "invitations"
        };
        write!(
            f,
            "You can send {} more {noun} today; the daily limit is {}. The count starts again at midnight UTC.",
            self.remaining, self.limit
        )
    }
}

impl std::error::Error for QuotaExceeded {}

fn start_of_day(now: NaiveDateTime) -> NaiveDateTime {
    now.date().and_time(chrono::NaiveTime::MIN)
}

pub fn sent_today(conn: &mut DbConnection, agent_id: i64, now: NaiveDateTime) -> QueryResult<i64> {
    invitations::table
        .filter(invitations::created_by_agent_id.eq(agent_id))
        .filter(invitations::created_at.ge(start_of_day(now)))
        .select(count_star())
        .get_result(conn)
}

/// How many more invitations the agent may create today.
pub fn remaining(
    conn: &mut DbConnection,
    agent_id: i64,
    limit: u32,
    now: NaiveDateTime,
) -> QueryResult<u32> {
    let sent = sent_today(conn, agent_id, now)?;
    Ok(u32::try_from(i64::from(limit) - sent).unwrap_or(0))
}

/// Refuses `wanted` new invitations if they do not fit in what is left today. Call it inside
/// the transaction that creates them: on PostgreSQL it locks the agent's row, so two requests
/// of one agent cannot both count the same room (SQLite's write lock already does that).
pub fn ensure_room(
    conn: &mut DbConnection,
    agent_id: i64,
    limit: u32,
    wanted: usize,
    now: NaiveDateTime,
) -> QueryResult<Result<(), QuotaExceeded>> {
    if let DbConnection::Postgresql(pg) = conn {
        agents::table
            .find(agent_id)
            .select(agents::id)
            .for_update()
            .first::<i64>(pg)
            .optional()?;
    }
    let remaining = remaining(conn, agent_id, limit, now)?;
    if u32::try_from(wanted).map_or(true, |wanted| wanted > remaining) {
        return Ok(Err(QuotaExceeded { remaining, limit }));
    }
    Ok(Ok(()))
}

/// Whether an agent's invite of these contacts fits today's quota, for entry points that write
/// something of their own before inviting (a mass invite). The invite checks again.
pub fn precheck(
    conn: &mut DbConnection,
    agent_id: i64,
    contact_ids: &[i64],
    resend: bool,
    now: NaiveDateTime,
) -> QueryResult<Result<(), QuotaExceeded>> {
    let Some(limit) = HelpCenterSettings::load(conn)?.daily_invite_quota else {
        return Ok(Ok(()));
    };
    let (found, live) = load_for_decision(conn, contact_ids)?;
    let wanted = count_eligible(&found, &live, contact_ids, resend, now);
    let remaining = remaining(conn, agent_id, limit, now)?;
    if u32::try_from(wanted).map_or(true, |wanted| wanted > remaining) {
        return Ok(Err(QuotaExceeded { remaining, limit }));
    }
    Ok(Ok(()))
}

/// How many of these contacts an invite would actually write an invitation for.
pub fn count_eligible(
    found: &HashMap<i64, Contact>,
    live: &HashMap<i64, Invitation>,
    contact_ids: &[i64],
    resend: bool,
    now: NaiveDateTime,
) -> usize {
    let mut seen = HashSet::new();
    contact_ids
        .iter()
        .filter(|id| seen.insert(**id))
        .filter(|id| {
            matches!(
                decide(found.get(id), live.get(id), resend, now),
                Decision::Invite { .. }
            )
        })
        .count()
}

/// The contacts and live invitations an invite decides on.
pub fn load_for_decision(
    conn: &mut DbConnection,
    contact_ids: &[i64],
) -> QueryResult<(HashMap<i64, Contact>, HashMap<i64, Invitation>)> {
    let found = contacts::table
        .filter(contacts::id.eq_any(contact_ids))
        .select(Contact::as_select())
        .load::<Contact>(conn)?
        .into_iter()
        .map(|contact| (contact.id, contact))
        .collect();
    let live = Invitation::live_for_contacts(conn, contact_ids)?
        .into_iter()
        .map(|invitation| (invitation.contact_id, invitation))
        .collect();
    Ok((found, live))
}

/// The longest start of a bulk chunk whose invitations fit in `room`; `true` when the chunk
/// had to be cut, so the job stops there until the quota allows more.
pub fn fit_chunk(
    conn: &mut DbConnection,
    ids: Vec<i64>,
    room: u32,
    resend: bool,
    now: NaiveDateTime,
) -> QueryResult<(Vec<i64>, bool)> {
    let (found, live) = load_for_decision(conn, &ids)?;
    let mut used = 0u32;
    for (position, id) in ids.iter().enumerate() {
        if let Decision::Invite { .. } = decide(found.get(id), live.get(id), resend, now) {
            if used == room {
                return Ok((ids[..position].to_vec(), true));
            }
            used += 1;
        }
    }
    Ok((ids, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refusal_says_how_many_are_left_and_the_limit() {
        let refusal = QuotaExceeded {
            remaining: 0,
            limit: 2,
        };
        assert!(refusal
            .to_string()
            .starts_with("You can send 0 more invitations today; the daily limit is 2."));
        let one = QuotaExceeded {
            remaining: 1,
            limit: 5,
        };
        assert!(one.to_string().contains("1 more invitation today"));
    }

    #[test]
    fn the_day_starts_at_midnight_utc() {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 3, 4)
            .and_then(|date| date.and_hms_opt(17, 5, 0))
            .unwrap();
        assert_eq!(start_of_day(now).to_string(), "2026-03-04 00:00:00");
    }
}

//! An unsaved invitation email an admin previews: kept an hour under a random key, so the
//! template editor's frame can show it as its own page, where its inline styles apply.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::random_key;
use crate::db::schema::email_previews;
use crate::db::{write_transaction, DbConnection};

/// How long a preview can be shown after it was made.
const KEPT: Duration = Duration::hours(1);

/// Keeps `html` for `agent_id` and returns its key; previews older than an hour go.
pub fn keep(
    conn: &mut DbConnection,
    agent_id: i64,
    html: &str,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let key = random_key();
    write_transaction(conn, |conn| {
        diesel::delete(email_previews::table.filter(email_previews::created_at.lt(now - KEPT)))
            .execute(conn)?;
        diesel::insert_into(email_previews::table)
            .values((
                email_previews::preview_key.eq(&key),
                email_previews::agent_id.eq(agent_id),
                email_previews::html.eq(html),
                email_previews::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(key.clone())
    })
}

/// The preview `key` names, if it is `agent_id`'s and still kept.
pub fn find(
    conn: &mut DbConnection,
    key: &str,
    agent_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Option<String>> {
    email_previews::table
        .filter(email_previews::preview_key.eq(key))
        .filter(email_previews::agent_id.eq(agent_id))
        .filter(email_previews::created_at.ge(now - KEPT))
        .select(email_previews::html)
        .first(conn)
        .optional()
}

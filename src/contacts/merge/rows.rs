//! Which contact a merged-away contact went into (`contacts::merge`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{contact_merges, contacts};
use crate::db::DbConnection;

/// Where a merged-away contact went: the contact that took its tickets, invitations and Help
/// Center account.
#[derive(Debug, Clone)]
pub struct MergedInto {
    pub contact_id: i64,
    pub name: String,
    pub merged_at: NaiveDateTime,
}

/// Records that `secondaries` went into `primary`. Contacts merged earlier into one of the
/// secondaries now lead straight to `primary`.
pub fn record(
    conn: &mut DbConnection,
    secondaries: &[i64],
    primary: i64,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(
        contact_merges::table.filter(contact_merges::merged_into_id.eq_any(secondaries)),
    )
    .set(contact_merges::merged_into_id.eq(primary))
    .execute(conn)?;
    diesel::delete(contact_merges::table.filter(contact_merges::contact_id.eq_any(secondaries)))
        .execute(conn)?;
    // A merge group is a handful of contacts: one INSERT each.
    for secondary in secondaries {
        diesel::insert_into(contact_merges::table)
            .values((
                contact_merges::contact_id.eq(*secondary),
                contact_merges::merged_into_id.eq(primary),
                contact_merges::merged_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Where `contact_id` went, if it was merged into another contact.
pub fn merged_into(conn: &mut DbConnection, contact_id: i64) -> QueryResult<Option<MergedInto>> {
    let found = contact_merges::table
        .inner_join(contacts::table.on(contacts::id.eq(contact_merges::merged_into_id)))
        .filter(contact_merges::contact_id.eq(contact_id))
        .select((contacts::id, contacts::name, contact_merges::merged_at))
        .load::<(i64, String, NaiveDateTime)>(conn)?
        .pop();
    Ok(found.map(|(contact_id, name, merged_at)| MergedInto {
        contact_id,
        name,
        merged_at,
    }))
}

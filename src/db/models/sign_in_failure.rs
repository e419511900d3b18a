//! Failed sign-ins: recorded, counted per address, cleared.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::sign_in_failures;
use crate::db::DbConnection;

/// Makes the rest of the transaction wait for any other attempt's, so that counting an
/// address's failures and recording one more cannot interleave: on SQLite the write
/// transaction already does, on PostgreSQL a table lock that only sign-in attempts take.
pub fn one_attempt_at_a_time(conn: &mut DbConnection) -> QueryResult<()> {
    if let DbConnection::Postgresql(pg) = conn {
        diesel::sql_query("LOCK TABLE sign_in_failures IN SHARE ROW EXCLUSIVE MODE").execute(pg)?;
    }
    Ok(())
}

/// The times of the latest `limit` failures for `email` since `since`, newest first.
pub fn latest_since(
    conn: &mut DbConnection,
    audience: &str,
    email: &str,
    since: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<NaiveDateTime>> {
    sign_in_failures::table
        .filter(sign_in_failures::audience.eq(audience))
        .filter(sign_in_failures::email.eq(email))
        .filter(sign_in_failures::failed_at.gt(since))
        .order(sign_in_failures::failed_at.desc())
        .limit(limit)
        .select(sign_in_failures::failed_at)
        .load(conn)
}

/// Records one failure, and forgets every failure from before `forget_before`, which no longer
/// counts, so the table holds at most one window's failures.
pub fn record(
    conn: &mut DbConnection,
    audience: &str,
    email: &str,
    at: NaiveDateTime,
    forget_before: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(sign_in_failures::table.filter(sign_in_failures::failed_at.lt(forget_before)))
        .execute(conn)?;
    diesel::insert_into(sign_in_failures::table)
        .values((
            sign_in_failures::audience.eq(audience),
            sign_in_failures::email.eq(email),
            sign_in_failures::failed_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets an address's failures: its owner has just signed in.
pub fn clear(conn: &mut DbConnection, audience: &str, email: &str) -> QueryResult<()> {
    diesel::delete(
        sign_in_failures::table
            .filter(sign_in_failures::audience.eq(audience))
            .filter(sign_in_failures::email.eq(email)),
    )
    .execute(conn)?;
    Ok(())
}

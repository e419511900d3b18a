//! Failed sign-ins: recorded, counted per address and per client, cleared.

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

/// Whose failures a limit counts.
#[derive(Debug, Clone, Copy)]
pub enum Counted<'a> {
    /// One address, tried from one client.
    AddressFromClient { email: &'a str, client: &'a str },
    /// One address, tried from any client.
    Address(&'a str),
    /// Any address, tried from one client.
    Client(&'a str),
}

/// The times of the latest `limit` failures `counted` since `since`, newest first.
pub fn latest_since(
    conn: &mut DbConnection,
    audience: &str,
    counted: Counted,
    since: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<NaiveDateTime>> {
    let query = sign_in_failures::table
        .filter(sign_in_failures::audience.eq(audience))
        .filter(sign_in_failures::failed_at.gt(since))
        .order(sign_in_failures::failed_at.desc())
        .limit(limit)
        .select(sign_in_failures::failed_at)
        .into_boxed();
    let query = match counted {
        Counted::AddressFromClient { email, client } => query
            .filter(sign_in_failures::email.eq(email))
            .filter(sign_in_failures::client.eq(client)),
        Counted::Address(email) => query.filter(sign_in_failures::email.eq(email)),
        Counted::Client(client) => query.filter(sign_in_failures::client.eq(client)),
    };
    query.load(conn)
}

/// Records one failure, and forgets every failure from before `forget_before`, which no longer
/// counts, so the table holds at most one window's failures.
pub fn record(
    conn: &mut DbConnection,
    audience: &str,
    email: &str,
    client: &str,
    at: NaiveDateTime,
    forget_before: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(sign_in_failures::table.filter(sign_in_failures::failed_at.lt(forget_before)))
        .execute(conn)?;
    diesel::insert_into(sign_in_failures::table)
        .values((
            sign_in_failures::audience.eq(audience),
            sign_in_failures::email.eq(email),
            sign_in_failures::client.eq(client),
            sign_in_failures::failed_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets an address's failures from one client: its owner has just signed in from there.
/// Failures from other clients still count: they may be someone else's guesses.
pub fn clear(
    conn: &mut DbConnection,
    audience: &str,
    email: &str,
    client: &str,
) -> QueryResult<()> {
    diesel::delete(
        sign_in_failures::table
            .filter(sign_in_failures::audience.eq(audience))
            .filter(sign_in_failures::email.eq(email))
            .filter(sign_in_failures::client.eq(client)),
    )
    .execute(conn)?;
    Ok(())
}

//! Requests that send an email to a typed address: recorded, counted per address and client.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::email_requests;
use crate::db::DbConnection;

/// How many requests for `address`, and how many from `client`, were made since `since`.
pub fn counts_since(
    conn: &mut DbConnection,
    address: &str,
    client: &str,
    since: NaiveDateTime,
) -> QueryResult<(i64, i64)> {
    let for_address = email_requests::table
        .filter(email_requests::address.eq(address))
        .filter(email_requests::requested_at.gt(since))
        .count()
        .get_result(conn)?;
    let from_client = email_requests::table
        .filter(email_requests::client.eq(client))
        .filter(email_requests::requested_at.gt(since))
        .count()
        .get_result(conn)?;
    Ok((for_address, from_client))
}

/// Records one request, and forgets every request from before `forget_before`, which no
/// longer counts, so the table holds at most one window's requests.
pub fn record(
    conn: &mut DbConnection,
    address: &str,
    client: &str,
    at: NaiveDateTime,
    forget_before: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(email_requests::table.filter(email_requests::requested_at.lt(forget_before)))
        .execute(conn)?;
    diesel::insert_into(email_requests::table)
        .values((
            email_requests::address.eq(address),
            email_requests::client.eq(client),
            email_requests::requested_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

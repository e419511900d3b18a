//! Requests that send an email to a typed address: recorded, counted per address and client.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::email_requests;
use crate::db::DbConnection;

/// The requests for one address and from one client since some moment: how many, and when
/// the oldest was made.
pub struct RequestCounts {
    pub for_address: i64,
    pub oldest_for_address: Option<NaiveDateTime>,
    pub from_client: i64,
    pub oldest_from_client: Option<NaiveDateTime>,
}

/// The requests for `address`, and those from `client`, made since `since`.
pub fn counts_since(
    conn: &mut DbConnection,
    address: &str,
    client: &str,
    since: NaiveDateTime,
) -> QueryResult<RequestCounts> {
    use diesel::dsl::{count_star, min};
    let (for_address, oldest_for_address) = email_requests::table
        .filter(email_requests::address.eq(address))
        .filter(email_requests::requested_at.gt(since))
        .select((count_star(), min(email_requests::requested_at)))
        .get_result(conn)?;
    let (from_client, oldest_from_client) = email_requests::table
        .filter(email_requests::client.eq(client))
        .filter(email_requests::requested_at.gt(since))
        .select((count_star(), min(email_requests::requested_at)))
        .get_result(conn)?;
    Ok(RequestCounts {
        for_address,
        oldest_for_address,
        from_client,
        oldest_from_client,
    })
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

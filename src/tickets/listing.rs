//! The agents' tickets list: newest update first, a keyset page at a time.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{Ticket, TicketStatus};
use crate::db::schema::{contacts, tickets};
use crate::db::DbConnection;

/// A position in the tickets list, which runs from the most recently updated: a row's update
/// time and id (the tie-breaker).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketCursor {
    pub updated_at: NaiveDateTime,
    pub id: i64,
}

const CURSOR_TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.f";

impl TicketCursor {
    /// A compact form for a URL: "<time>~<id>".
    pub fn encode(&self) -> String {
        format!("{}~{}", self.updated_at.format(CURSOR_TIME_FORMAT), self.id)
    }

    pub fn decode(encoded: &str) -> Option<TicketCursor> {
        let (time, id) = encoded.rsplit_once('~')?;
        Some(TicketCursor {
            updated_at: NaiveDateTime::parse_from_str(time, CURSOR_TIME_FORMAT).ok()?,
            id: id.parse().ok()?,
        })
    }

    fn of(ticket: &Ticket) -> TicketCursor {
        TicketCursor {
            updated_at: ticket.updated_at,
            id: ticket.id,
        }
    }
}

#[derive(Debug, Clone)]
pub struct TicketListRequest {
    pub status: Option<TicketStatus>,
    /// Start after this row (next page), or before it when `backward` (previous page).
    pub cursor: Option<TicketCursor>,
    pub backward: bool,
    pub page_size: i64,
}

/// One page of tickets, each with the name of the contact who raised it.
#[derive(Debug, Clone)]
pub struct TicketPage {
    pub rows: Vec<(Ticket, String)>,
    pub next: Option<TicketCursor>,
    pub previous: Option<TicketCursor>,
}

impl TicketListRequest {
    pub fn page(&self, conn: &mut DbConnection) -> QueryResult<TicketPage> {
        let mut query = tickets::table
            .inner_join(contacts::table)
            .select((Ticket::as_select(), contacts::name))
            .into_boxed();
        if let Some(status) = self.status {
            query = query.filter(tickets::status.eq(status.as_str()));
        }
        // Walking backward reads the list in reverse from the cursor, then flips the rows back.
        query = match (self.cursor, self.backward) {
            (Some(cursor), false) => query.filter(
                tickets::updated_at
                    .lt(cursor.updated_at)
                    .or(tickets::updated_at
                        .eq(cursor.updated_at)
                        .and(tickets::id.lt(cursor.id))),
            ),
            (Some(cursor), true) => query.filter(
                tickets::updated_at
                    .gt(cursor.updated_at)
                    .or(tickets::updated_at
                        .eq(cursor.updated_at)
                        .and(tickets::id.gt(cursor.id))),
            ),
            (None, _) => query,
        };
        query = if self.backward {
            query.order((tickets::updated_at.asc(), tickets::id.asc()))
        } else {
            query.order((tickets::updated_at.desc(), tickets::id.desc()))
        };
        let mut rows: Vec<(Ticket, String)> = query.limit(self.page_size + 1).load(conn)?;
        let more = rows.len() as i64 > self.page_size;
        rows.truncate(usize::try_from(self.page_size).unwrap_or(0));
        if self.backward {
            rows.reverse();
        }
        let first = rows.first().map(|(ticket, _)| TicketCursor::of(ticket));
        let last = rows.last().map(|(ticket, _)| TicketCursor::of(ticket));
        let (next, previous) = if self.backward {
            (last, first.filter(|_| more))
        } else {
            (
                last.filter(|_| more),
                first.filter(|_| self.cursor.is_some()),
            )
        };
        Ok(TicketPage {
            rows,
            next,
            previous,
        })
    }
}

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use crate::db::models::audit::{self, Actor};
use crate::db::schema::{agents, contacts, ticket_messages, tickets};
use crate::db::{now, write_transaction, DbConnection};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketStatus {
    Open,
    OnHold,
    Closed,
}

impl TicketStatus {
    pub const ALL: [TicketStatus; 3] = [
        TicketStatus::Open,
        TicketStatus::OnHold,
        TicketStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Open => "open",
            TicketStatus::OnHold => "on_hold",
            TicketStatus::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TicketStatus::Open => "Open",
            TicketStatus::OnHold => "On hold",
            TicketStatus::Closed => "Closed",
        }
    }

    /// For CSS classes: `badge-open`, `badge-on-hold`, `badge-closed`.
    pub fn slug(self) -> &'static str {
        match self {
            TicketStatus::Open => "open",
            TicketStatus::OnHold => "on-hold",
            TicketStatus::Closed => "closed",
        }
    }

    pub fn parse(value: &str) -> Option<TicketStatus> {
        TicketStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == value)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tickets)]
pub struct Ticket {
    pub id: i64,
    pub contact_id: i64,
    pub subject: String,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Ticket {
    pub fn status(&self) -> TicketStatus {
        TicketStatus::parse(&self.status).unwrap_or(TicketStatus::Open)
    }

    pub fn for_contact(conn: &mut DbConnection, contact_id: i64) -> QueryResult<Vec<Ticket>> {
        tickets::table
            .filter(tickets::contact_id.eq(contact_id))
            .order((tickets::updated_at.desc(), tickets::id.desc()))
            .select(Ticket::as_select())
            .load(conn)
    }

    /// The newest tickets with the name of the contact who raised each.
    pub fn recent_with_contact(
        conn: &mut DbConnection,
        limit: i64,
    ) -> QueryResult<Vec<(Ticket, String)>> {
        tickets::table
            .inner_join(contacts::table)
            .select((Ticket::as_select(), contacts::name))
            .order((tickets::updated_at.desc(), tickets::id.desc()))
            .limit(limit)
            .load(conn)
    }

    /// The ticket, or diesel's `NotFound` (a 404 page) when there is none.
    pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Ticket> {
        tickets::table
            .find(id)
            .select(Ticket::as_select())
            .first(conn)
    }

    pub fn status_counts(conn: &mut DbConnection) -> QueryResult<StatusCounts> {
        let rows: Vec<(String, i64)> = tickets::table
            .group_by(tickets::status)
            .select((tickets::status, count_star()))
            .load(conn)?;
        let mut counts = StatusCounts::default();
        for (status, count) in rows {
            match TicketStatus::parse(&status) {
                Some(TicketStatus::Open) => counts.open = count,
                Some(TicketStatus::OnHold) => counts.on_hold = count,
                Some(TicketStatus::Closed) => counts.closed = count,
                None => {}
            }
        }
        Ok(counts)
    }

    /// An agent's answer: the message, then the status if one was chosen, in one transaction.
    /// The reply counts as an update, so the ticket rises to the top of the list.
    pub fn add_agent_reply(
        conn: &mut DbConnection,
        ticket_id: i64,
        agent_id: i64,
        body: &str,
        new_status: Option<TicketStatus>,
    ) -> QueryResult<Option<StatusChange>> {
        write_transaction(conn, |conn| {
            let ticket = Ticket::find(conn, ticket_id)?;
            let at = now();
            NewTicketMessage {
                ticket_id,
                author_agent_id: Some(agent_id),
                from_customer: false,
                body,
                created_at: at,
            }
            .insert(conn)?;
            let change = match new_status {
                Some(status) => record_status(conn, &ticket, status, Actor::Agent(agent_id))?,
                None => None,
            };
            touch(conn, ticket_id, change, at)?;
            Ok(change)
        })
    }

    /// `None` when the ticket already had that status: nothing changes, nothing is recorded.
    pub fn change_status(
        conn: &mut DbConnection,
        ticket_id: i64,
        status: TicketStatus,
        actor: Actor,
    ) -> QueryResult<Option<StatusChange>> {
        write_transaction(conn, |conn| {
            let ticket = Ticket::find(conn, ticket_id)?;
            let change = record_status(conn, &ticket, status, actor)?;
            if change.is_some() {
                touch(conn, ticket_id, change, now())?;
            }
            Ok(change)
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusChange {
    pub from: TicketStatus,
    pub to: TicketStatus,
}

fn record_status(
    conn: &mut DbConnection,
    ticket: &Ticket,
    status: TicketStatus,
    actor: Actor,
) -> QueryResult<Option<StatusChange>> {
    let from = ticket.status();
    if from == status {
        return Ok(None);
    }
    audit::record(
        conn,
        actor,
        "ticket.status_changed",
        ("ticket", Some(ticket.id)),
        &format!("{} → {}", from.as_str(), status.as_str()),
    )?;
    Ok(Some(StatusChange { from, to: status }))
}

fn touch(
    conn: &mut DbConnection,
    ticket_id: i64,
    change: Option<StatusChange>,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    let target = tickets::table.find(ticket_id);
    match change {
        Some(change) => diesel::update(target)
            .set((
                tickets::status.eq(change.to.as_str()),
                tickets::updated_at.eq(at),
            ))
            .execute(conn),
        None => diesel::update(target)
            .set(tickets::updated_at.eq(at))
            .execute(conn),
    }
}

/// How many tickets have each status: exact, one grouped scan of the status index.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatusCounts {
    pub open: i64,
    pub on_hold: i64,
    pub closed: i64,
}

impl StatusCounts {
    pub fn of(&self, status: TicketStatus) -> i64 {
        match status {
            TicketStatus::Open => self.open,
            TicketStatus::OnHold => self.on_hold,
            TicketStatus::Closed => self.closed,
        }
    }

    pub fn total(&self) -> i64 {
        self.open + self.on_hold + self.closed
    }
}

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

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ticket_messages)]
pub struct TicketMessage {
    pub id: i64,
    pub ticket_id: i64,
    pub author_agent_id: Option<i64>,
    pub from_customer: bool,
    pub body: String,
    pub created_at: NaiveDateTime,
}

impl TicketMessage {
    /// The conversation in the order it happened, with each agent author's name (`None` for
    /// the customer's messages, and for agents since removed).
    pub fn thread(
        conn: &mut DbConnection,
        ticket_id: i64,
    ) -> QueryResult<Vec<(TicketMessage, Option<String>)>> {
        ticket_messages::table
            .left_join(agents::table.on(ticket_messages::author_agent_id.eq(agents::id.nullable())))
            .filter(ticket_messages::ticket_id.eq(ticket_id))
            .order((ticket_messages::created_at.asc(), ticket_messages::id.asc()))
            .select((TicketMessage::as_select(), agents::name.nullable()))
            .load(conn)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = tickets)]
pub struct NewTicket<'a> {
    pub contact_id: i64,
    pub subject: &'a str,
    pub status: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl NewTicket<'_> {
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<i64> {
        diesel::insert_into(tickets::table)
            .values(self)
            .returning(tickets::id)
            .get_result(conn)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = ticket_messages)]
pub struct NewTicketMessage<'a> {
    pub ticket_id: i64,
    pub author_agent_id: Option<i64>,
    pub from_customer: bool,
    pub body: &'a str,
    pub created_at: NaiveDateTime,
}

impl NewTicketMessage<'_> {
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<usize> {
        diesel::insert_into(ticket_messages::table)
            .values(self)
            .execute(conn)
    }
}

/// The Help Center's side: a customer sees, opens and answers only their own tickets.
impl Ticket {
    /// A customer's tickets, newest update first, only those with one of `statuses` when given.
    pub fn for_contact_with_status(
        conn: &mut DbConnection,
        contact_id: i64,
        statuses: Option<&[TicketStatus]>,
    ) -> QueryResult<Vec<Ticket>> {
        let mut query = tickets::table
            .filter(tickets::contact_id.eq(contact_id))
            .into_boxed();
        if let Some(statuses) = statuses {
            let wanted: Vec<&str> = statuses.iter().map(|status| status.as_str()).collect();
            query = query.filter(tickets::status.eq_any(wanted));
        }
        query
            .order((tickets::updated_at.desc(), tickets::id.desc()))
            .select(Ticket::as_select())
            .load(conn)
    }

    pub fn status_counts_for_contact(
        conn: &mut DbConnection,
        contact_id: i64,
    ) -> QueryResult<StatusCounts> {
        let rows: Vec<(String, i64)> = tickets::table
            .filter(tickets::contact_id.eq(contact_id))
            .group_by(tickets::status)
            .select((tickets::status, count_star()))
            .load(conn)?;
        let mut counts = StatusCounts::default();
        for (status, count) in rows {
            match TicketStatus::parse(&status) {
                Some(TicketStatus::Open) => counts.open = count,
                Some(TicketStatus::OnHold) => counts.on_hold = count,
                Some(TicketStatus::Closed) => counts.closed = count,
                None => {}
            }
        }
        Ok(counts)
    }

    /// The ticket if this contact raised it; another customer's ticket is no ticket at all,
    /// diesel's `NotFound` (a 404 page), exactly like an id that does not exist.
    pub fn find_for_contact(
        conn: &mut DbConnection,
        id: i64,
        contact_id: i64,
    ) -> QueryResult<Ticket> {
        tickets::table
            .find(id)
            .filter(tickets::contact_id.eq(contact_id))
            .select(Ticket::as_select())
            .first(conn)
    }

    /// A customer's new ticket: open, with their message as the first of the conversation.
    pub fn open_for_customer(
        conn: &mut DbConnection,
        contact_id: i64,
        subject: &str,
        body: &str,
    ) -> QueryResult<i64> {
        write_transaction(conn, |conn| {
            let at = now();
            let ticket_id = NewTicket {
                contact_id,
                subject,
                status: TicketStatus::Open.as_str(),
                created_at: at,
                updated_at: at,
            }
            .insert(conn)?;
            NewTicketMessage {
                ticket_id,
                author_agent_id: None,
                from_customer: true,
                body,
                created_at: at,
            }
            .insert(conn)?;
            audit::record(
                conn,
                Actor::Contact(contact_id),
                "ticket.created",
                ("ticket", Some(ticket_id)),
                subject,
            )?;
            Ok(ticket_id)
        })
    }

    /// A customer's answer on their own ticket (`NotFound` for anyone else's). Answering a
    /// closed ticket reopens it: the customer is not done with it.
    pub fn add_customer_reply(
        conn: &mut DbConnection,
        ticket_id: i64,
        contact_id: i64,
        body: &str,
    ) -> QueryResult<Option<StatusChange>> {
        write_transaction(conn, |conn| {
            let ticket = Ticket::find_for_contact(conn, ticket_id, contact_id)?;
            let at = now();
            NewTicketMessage {
                ticket_id,
                author_agent_id: None,
                from_customer: true,
                body,
                created_at: at,
            }
            .insert(conn)?;
            let change = if ticket.status() == TicketStatus::Closed {
                record_status(
                    conn,
                    &ticket,
                    TicketStatus::Open,
                    Actor::Contact(contact_id),
                )?
            } else {
                None
            };
            touch(conn, ticket_id, change, at)?;
            Ok(change)
        })
    }
}

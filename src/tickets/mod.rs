//! Tickets: a contact's requests, their messages and statuses, for agents and in the Help Center.

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use crate::audit::{self, Actor};
use crate::db::schema::{agents, contacts, ticket_messages, tickets};
use crate::db::{now, write_transaction, DbConnection};

pub mod conversation;
mod customer;
pub mod emails;
mod listing;

pub use listing::{TicketCursor, TicketListRequest, TicketPage};

#[derive(Debug, thiserror::Error)]
pub enum TicketError {
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error(transparent)]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("a ticket email could not be written: {0}")]
    Template(#[from] askama::Error),
}

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
        Ok(StatusCounts::of_rows(rows))
    }

    /// An agent's answer (or internal note): the message, then the status if one was chosen,
    /// in one transaction. It counts as an update, so the ticket rises to the top of the list.
    pub fn add_agent_reply(
        conn: &mut DbConnection,
        ticket_id: i64,
        agent_id: i64,
        body: &str,
        internal: bool,
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
                internal,
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
    /// From (status, count) rows grouped by status; a status Portico does not know is left out.
    fn of_rows(rows: Vec<(String, i64)>) -> StatusCounts {
        let mut counts = StatusCounts::default();
        for (status, count) in rows {
            match TicketStatus::parse(&status) {
                Some(TicketStatus::Open) => counts.open = count,
                Some(TicketStatus::OnHold) => counts.on_hold = count,
                Some(TicketStatus::Closed) => counts.closed = count,
                None => {}
            }
        }
        counts
    }

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

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ticket_messages)]
pub struct TicketMessage {
    pub id: i64,
    pub ticket_id: i64,
    pub author_agent_id: Option<i64>,
    pub from_customer: bool,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub internal: bool,
}

/// Who reads a ticket's conversation: agents see internal notes, customers do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Agent,
    Customer,
}

impl TicketMessage {
    /// The conversation in the order it happened, with each agent author's name (`None` for
    /// the customer's messages, and for agents since removed).
    pub fn thread(
        conn: &mut DbConnection,
        ticket_id: i64,
        reader: Reader,
    ) -> QueryResult<Vec<(TicketMessage, Option<String>)>> {
        let mut query = ticket_messages::table
            .left_join(agents::table.on(ticket_messages::author_agent_id.eq(agents::id.nullable())))
            .filter(ticket_messages::ticket_id.eq(ticket_id))
            .into_boxed();
        if reader == Reader::Customer {
            query = query.filter(ticket_messages::internal.eq(false));
        }
        query
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
    pub internal: bool,
}

impl NewTicketMessage<'_> {
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<usize> {
        diesel::insert_into(ticket_messages::table)
            .values(self)
            .execute(conn)
    }
}

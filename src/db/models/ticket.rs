use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{contacts, ticket_messages, tickets};
use crate::db::DbConnection;

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

//! Tickets as a customer sees them in the Help Center.

use diesel::prelude::*;

use super::*;

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
        Ok(StatusCounts::of_rows(rows))
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

    /// A new ticket of contact `contact_id`: open, with the customer's message as the first of
    /// the conversation, submitted by them in the Help Center or typed in by an agent (`actor`)
    /// who took the call.
    pub fn open_for_customer(
        conn: &mut DbConnection,
        actor: Actor,
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
                internal: false,
            }
            .insert(conn)?;
            audit::record(
                conn,
                actor,
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
                internal: false,
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

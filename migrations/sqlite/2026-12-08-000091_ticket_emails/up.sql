-- An agent's note on a ticket for other agents: the customer never sees it and no email
-- announces it.
ALTER TABLE ticket_messages ADD COLUMN internal BOOLEAN NOT NULL DEFAULT 0;

-- Agents who want an email for each Help Center ticket that no agent has answered yet.
ALTER TABLE agents ADD COLUMN notify_new_tickets BOOLEAN NOT NULL DEFAULT 0;

-- Every email about a ticket, to its customer or to an agent: shown in the ticket's history
-- with the SMTP server's reason when it failed. A row is written before the send, so an event
-- is emailed once even if the process stops mid-send.
CREATE TABLE ticket_emails (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    recipient TEXT NOT NULL,
    outcome TEXT NOT NULL,
    error TEXT,
    created_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE INDEX ticket_emails_ticket ON ticket_emails (ticket_id, id);

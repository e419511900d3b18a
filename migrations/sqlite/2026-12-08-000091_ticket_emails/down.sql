DROP TABLE ticket_emails;
ALTER TABLE agents DROP COLUMN notify_new_tickets;
ALTER TABLE ticket_messages DROP COLUMN internal;

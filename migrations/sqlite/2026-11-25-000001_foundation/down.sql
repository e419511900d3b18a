DROP TABLE audit_events;
DROP TABLE kb_articles;
DROP TABLE ticket_messages;
DROP TABLE tickets;
DROP TABLE portal_accounts;
DROP TABLE contacts;
DROP TABLE accounts;
DROP TABLE agents;

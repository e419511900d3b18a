-- The conditions do not go back into fixed criteria: views come back empty of them.
CREATE TABLE contact_views_old (
    id INTEGER PRIMARY KEY,
    agent_id INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    shared BOOLEAN NOT NULL DEFAULT 0,
    account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    help_center_status TEXT,
    email_domain TEXT,
    created_from TIMESTAMP,
    created_until TIMESTAMP,
    has_open_tickets BOOLEAN,
    name_contains TEXT,
    sort TEXT NOT NULL DEFAULT 'name',
    descending BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO contact_views_old (id, agent_id, name, shared, sort, descending, created_at, updated_at)
SELECT id, agent_id, name, shared, sort, descending, created_at, updated_at FROM contact_views;
DROP TABLE contact_views;
ALTER TABLE contact_views_old RENAME TO contact_views;
CREATE INDEX contact_views_agent ON contact_views (agent_id);

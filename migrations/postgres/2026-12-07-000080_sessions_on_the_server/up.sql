-- Each signed-in browser, agent's or customer's: the session cookie carries a token whose
-- digest finds the row, and every request checks it, so signing out, disabling an account or
-- "Sign out other sessions" ends a session on the server, whatever copy of the cookie exists.
-- Rows replace sessions_ended_at; every session from before is signed out.
CREATE TABLE sessions (
    id BIGSERIAL PRIMARY KEY,
    token_digest TEXT NOT NULL UNIQUE,
    agent_id BIGINT REFERENCES agents (id) ON DELETE CASCADE,
    contact_id BIGINT REFERENCES contacts (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    client_address TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    CHECK ((agent_id IS NULL) <> (contact_id IS NULL))
);
CREATE INDEX sessions_agent ON sessions (agent_id);
CREATE INDEX sessions_contact ON sessions (contact_id);
-- Purging the sessions that timed out.
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);
ALTER TABLE agents DROP COLUMN sessions_ended_at;
ALTER TABLE portal_accounts DROP COLUMN sessions_ended_at;

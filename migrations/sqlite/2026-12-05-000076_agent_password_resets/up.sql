-- One-time links that let an agent who forgot their password choose a new one ("Forgot
-- password?" on the agents' sign-in page), valid one hour. Only each token's SHA-256 digest
-- is stored, as for the Help Center's links (customer_tokens).
CREATE TABLE agent_password_resets (
    id INTEGER PRIMARY KEY,
    agent_id INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    token_digest TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
-- Retiring an agent's outstanding links when their password changes.
CREATE INDEX agent_password_resets_agent ON agent_password_resets (agent_id);
-- Clearing out expired links.
CREATE INDEX agent_password_resets_expiry ON agent_password_resets (expires_at);

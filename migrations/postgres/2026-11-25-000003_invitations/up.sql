-- Help Center invitations: one live invitation per contact, every delivery attempt, the
-- results of each mass invite, bulk jobs worked in claimed chunks, and admin settings.

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE bulk_invite_jobs (
    id BIGSERIAL PRIMARY KEY,
    agent_id BIGINT REFERENCES agents (id) ON DELETE SET NULL,
    description TEXT NOT NULL,
    criteria TEXT NOT NULL,
    max_contact_id BIGINT NOT NULL,
    total BIGINT NOT NULL,
    cursor_contact_id BIGINT NOT NULL DEFAULT 0,
    invited BIGINT NOT NULL DEFAULT 0,
    skipped BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0,
    state TEXT NOT NULL CHECK (state IN ('running', 'paused', 'done', 'cancelled')),
    claimed_until TIMESTAMP,
    claim_token TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE INDEX bulk_invite_jobs_recent ON bulk_invite_jobs (created_at);

CREATE TABLE invite_batches (
    id BIGSERIAL PRIMARY KEY,
    agent_id BIGINT REFERENCES agents (id) ON DELETE SET NULL,
    submission_key TEXT NOT NULL UNIQUE,
    invited BIGINT NOT NULL DEFAULT 0,
    skipped BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE invitations (
    id BIGSERIAL PRIMARY KEY,
    contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    token_digest TEXT NOT NULL UNIQUE,
    created_by_agent_id BIGINT REFERENCES agents (id) ON DELETE SET NULL,
    batch_id BIGINT REFERENCES invite_batches (id) ON DELETE SET NULL,
    bulk_job_id BIGINT REFERENCES bulk_invite_jobs (id) ON DELETE SET NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'accepted', 'revoked')),
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    expires_at TIMESTAMP NOT NULL,
    accepted_at TIMESTAMP,
    revoked_at TIMESTAMP,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    smtp_message_id TEXT
);
-- Live means not yet accepted, revoked or failed for good: the database keeps it to one.
CREATE UNIQUE INDEX invitations_one_live_per_contact ON invitations (contact_id) WHERE state IN ('pending', 'sent');
CREATE INDEX invitations_contact ON invitations (contact_id, created_at);
CREATE INDEX invitations_batch ON invitations (batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX invitations_bulk_job ON invitations (bulk_job_id, state) WHERE bulk_job_id IS NOT NULL;

CREATE TABLE delivery_attempts (
    id BIGSERIAL PRIMARY KEY,
    invitation_id BIGINT NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    attempted_at TIMESTAMP NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('sent', 'transient_failure', 'permanent_failure')),
    smtp_code BIGINT,
    error TEXT
);
CREATE INDEX delivery_attempts_invitation ON delivery_attempts (invitation_id, attempted_at);

CREATE TABLE invite_batch_rows (
    id BIGSERIAL PRIMARY KEY,
    batch_id BIGINT NOT NULL REFERENCES invite_batches (id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    outcome TEXT NOT NULL CHECK (outcome IN ('invited', 'skipped', 'failed')),
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX invite_batch_rows_batch ON invite_batch_rows (batch_id, outcome);

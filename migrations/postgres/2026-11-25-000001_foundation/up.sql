CREATE TABLE agents (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE CHECK (email = lower(email)),
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'agent')),
    password_hash TEXT NOT NULL,
    disabled_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE accounts (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX accounts_name ON accounts (name);

CREATE TABLE contacts (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT CHECK (email = lower(email)),
    email_normalized TEXT,
    phone TEXT,
    account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    is_spam BOOLEAN NOT NULL DEFAULT false,
    help_center_status TEXT NOT NULL DEFAULT 'not_invited',
    last_invited_at TIMESTAMP,
    deleted_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX contacts_live_email ON contacts (email) WHERE deleted_at IS NULL AND email IS NOT NULL;
CREATE INDEX contacts_email_normalized ON contacts (email_normalized) WHERE email_normalized IS NOT NULL;
CREATE INDEX contacts_account ON contacts (account_id);
CREATE INDEX contacts_live_name ON contacts (name, id) WHERE deleted_at IS NULL;

CREATE TABLE portal_accounts (
    id BIGSERIAL PRIMARY KEY,
    contact_id BIGINT NOT NULL UNIQUE REFERENCES contacts (id) ON DELETE CASCADE,
    password_hash TEXT NOT NULL,
    activated_at TIMESTAMP,
    deactivated_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE tickets (
    id BIGSERIAL PRIMARY KEY,
    contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    subject TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'on_hold', 'closed')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX tickets_contact ON tickets (contact_id, status);

CREATE TABLE ticket_messages (
    id BIGSERIAL PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    author_agent_id BIGINT REFERENCES agents (id) ON DELETE SET NULL,
    from_customer BOOLEAN NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, created_at);

CREATE TABLE kb_articles (
    id BIGSERIAL PRIMARY KEY,
    title TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL,
    body TEXT NOT NULL,
    published BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE audit_events (
    id BIGSERIAL PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    actor_agent_id BIGINT REFERENCES agents (id) ON DELETE SET NULL,
    actor_contact_id BIGINT REFERENCES contacts (id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id BIGINT,
    details TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_subject ON audit_events (subject_type, subject_id, occurred_at);

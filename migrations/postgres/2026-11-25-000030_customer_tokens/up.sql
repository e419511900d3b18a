-- One-time links the Help Center emails to customers: a password reset (for a contact's
-- account) or an email verification for self-registration (for an address, with the name the
-- visitor gave; the contact is found or created only when the link is used). Only each
-- token's SHA-256 digest is stored.
CREATE TABLE customer_tokens (
    id BIGSERIAL PRIMARY KEY,
    purpose TEXT NOT NULL CHECK (purpose IN ('password_reset', 'verify_email')),
    token_digest TEXT NOT NULL UNIQUE,
    contact_id BIGINT REFERENCES contacts (id) ON DELETE CASCADE,
    email TEXT NOT NULL CHECK (email = lower(email)),
    name TEXT NOT NULL DEFAULT '',
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
-- Retiring a contact's outstanding reset links when the password changes.
CREATE INDEX customer_tokens_contact ON customer_tokens (contact_id, purpose) WHERE contact_id IS NOT NULL;
-- Clearing out expired links.
CREATE INDEX customer_tokens_expiry ON customer_tokens (expires_at);

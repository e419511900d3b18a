-- The contacts list at a million rows: exact view counts kept by triggers, a trigram search
-- index, and indexes for each sort's keyset.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE contact_imports (
    id BIGSERIAL PRIMARY KEY,
    agent_id BIGINT REFERENCES agents (id) ON DELETE SET NULL,
    file_name TEXT NOT NULL,
    imported BIGINT NOT NULL DEFAULT 0,
    rejected BIGINT NOT NULL DEFAULT 0,
    rejected_csv TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);

ALTER TABLE contacts ADD COLUMN invitation_expires_at TIMESTAMP;
ALTER TABLE contacts ADD COLUMN possible_duplicate BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE contacts ADD COLUMN import_id BIGINT REFERENCES contact_imports (id) ON DELETE SET NULL;

CREATE TABLE contact_view_counts (
    help_center_status TEXT NOT NULL,
    is_spam BOOLEAN NOT NULL,
    is_deleted BOOLEAN NOT NULL,
    has_email BOOLEAN NOT NULL,
    possible_duplicate BOOLEAN NOT NULL,
    contacts BIGINT NOT NULL,
    PRIMARY KEY (help_center_status, is_spam, is_deleted, has_email, possible_duplicate)
);

INSERT INTO contact_view_counts
SELECT help_center_status, is_spam, deleted_at IS NOT NULL, email IS NOT NULL, possible_duplicate, count(*)
FROM contacts
GROUP BY 1, 2, 3, 4, 5;

-- Statement-level triggers with transition tables: a bulk insert of a million rows adjusts the
-- counts once per statement, not once per row.
CREATE FUNCTION contact_view_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO contact_view_counts
    SELECT help_center_status, is_spam, deleted_at IS NOT NULL, email IS NOT NULL, possible_duplicate, count(*)
    FROM added GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (help_center_status, is_spam, is_deleted, has_email, possible_duplicate)
    DO UPDATE SET contacts = contact_view_counts.contacts + EXCLUDED.contacts;
    RETURN NULL;
END $$;

CREATE FUNCTION contact_view_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contact_view_counts AS counts SET contacts = counts.contacts - removed_counts.n
    FROM (
        SELECT help_center_status, is_spam, deleted_at IS NOT NULL AS is_deleted, email IS NOT NULL AS has_email,
               possible_duplicate, count(*) AS n
        FROM removed GROUP BY 1, 2, 3, 4, 5
    ) AS removed_counts
    WHERE counts.help_center_status = removed_counts.help_center_status AND counts.is_spam = removed_counts.is_spam
      AND counts.is_deleted = removed_counts.is_deleted AND counts.has_email = removed_counts.has_email
      AND counts.possible_duplicate = removed_counts.possible_duplicate;
    RETURN NULL;
END $$;

CREATE TRIGGER contacts_count_insert AFTER INSERT ON contacts
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION contact_view_counts_add();
CREATE TRIGGER contacts_count_delete AFTER DELETE ON contacts
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION contact_view_counts_remove();
CREATE TRIGGER contacts_count_update_remove AFTER UPDATE ON contacts
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION contact_view_counts_remove();
CREATE TRIGGER contacts_count_update_add AFTER UPDATE ON contacts
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION contact_view_counts_add();

-- Substring search over name, email and phone.
CREATE INDEX contacts_search_trgm ON contacts USING gin (
    (lower(name || ' ' || coalesce(email, '') || ' ' || coalesce(phone, ''))) gin_trgm_ops
);

DROP INDEX contacts_live_name;
CREATE INDEX contacts_listed_name ON contacts (name, id) WHERE deleted_at IS NULL AND is_spam = false;
CREATE INDEX contacts_listed_email ON contacts (email, id) WHERE deleted_at IS NULL AND is_spam = false;
CREATE INDEX contacts_listed_created ON contacts (created_at, id) WHERE deleted_at IS NULL AND is_spam = false;
CREATE INDEX contacts_listed_invited ON contacts (last_invited_at, id) WHERE deleted_at IS NULL AND is_spam = false;
CREATE INDEX contacts_listed_status ON contacts (help_center_status, name, id) WHERE deleted_at IS NULL AND is_spam = false;
CREATE INDEX contacts_invitation_expiry ON contacts (invitation_expires_at) WHERE help_center_status = 'invited' AND deleted_at IS NULL AND is_spam = false;
CREATE INDEX contacts_spam ON contacts (name, id) WHERE deleted_at IS NULL AND is_spam = true;
CREATE INDEX contacts_deleted ON contacts (deleted_at, id) WHERE deleted_at IS NOT NULL;
CREATE INDEX contacts_duplicates ON contacts (name, id) WHERE possible_duplicate = true AND deleted_at IS NULL;
CREATE INDEX contacts_without_email ON contacts (name, id) WHERE email IS NULL AND deleted_at IS NULL AND is_spam = false;
CREATE INDEX contacts_name_phone ON contacts (name, phone) WHERE phone IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX contacts_import ON contacts (import_id, name, id) WHERE import_id IS NOT NULL;

CREATE TABLE contact_views (
    id BIGSERIAL PRIMARY KEY,
    agent_id BIGINT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    shared BOOLEAN NOT NULL DEFAULT false,
    account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    help_center_status TEXT,
    email_domain TEXT,
    created_from TIMESTAMP,
    created_until TIMESTAMP,
    has_open_tickets BOOLEAN,
    name_contains TEXT,
    sort TEXT NOT NULL DEFAULT 'name',
    descending BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX contact_views_agent ON contact_views (agent_id);

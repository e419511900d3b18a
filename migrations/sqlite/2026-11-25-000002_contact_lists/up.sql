-- The contacts list at a million rows: exact view counts kept by triggers, a trigram search
-- index, and indexes for each sort's keyset.

CREATE TABLE contact_imports (
    id INTEGER PRIMARY KEY,
    agent_id INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    file_name TEXT NOT NULL,
    imported INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    rejected_csv TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);

ALTER TABLE contacts ADD COLUMN invitation_expires_at TIMESTAMP;
ALTER TABLE contacts ADD COLUMN possible_duplicate BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN import_id INTEGER REFERENCES contact_imports (id) ON DELETE SET NULL;

CREATE TABLE contact_view_counts (
    help_center_status TEXT NOT NULL,
    is_spam BOOLEAN NOT NULL,
    is_deleted BOOLEAN NOT NULL,
    has_email BOOLEAN NOT NULL,
    possible_duplicate BOOLEAN NOT NULL,
    contacts INTEGER NOT NULL,
    PRIMARY KEY (help_center_status, is_spam, is_deleted, has_email, possible_duplicate)
);

INSERT INTO contact_view_counts
SELECT help_center_status, is_spam, deleted_at IS NOT NULL, email IS NOT NULL, possible_duplicate, count(*)
FROM contacts
GROUP BY 1, 2, 3, 4, 5;

CREATE TRIGGER contacts_count_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contact_view_counts
    VALUES (NEW.help_center_status, NEW.is_spam, NEW.deleted_at IS NOT NULL, NEW.email IS NOT NULL, NEW.possible_duplicate, 1)
    ON CONFLICT (help_center_status, is_spam, is_deleted, has_email, possible_duplicate)
    DO UPDATE SET contacts = contacts + 1;
END;

CREATE TRIGGER contacts_count_delete AFTER DELETE ON contacts BEGIN
    UPDATE contact_view_counts SET contacts = contacts - 1
    WHERE help_center_status = OLD.help_center_status AND is_spam = OLD.is_spam
      AND is_deleted = (OLD.deleted_at IS NOT NULL) AND has_email = (OLD.email IS NOT NULL)
      AND possible_duplicate = OLD.possible_duplicate;
END;

CREATE TRIGGER contacts_count_update AFTER UPDATE OF help_center_status, is_spam, deleted_at, email, possible_duplicate ON contacts
WHEN OLD.help_center_status IS NOT NEW.help_center_status OR OLD.is_spam IS NOT NEW.is_spam
  OR (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL) OR (OLD.email IS NULL) <> (NEW.email IS NULL)
  OR OLD.possible_duplicate IS NOT NEW.possible_duplicate
BEGIN
    UPDATE contact_view_counts SET contacts = contacts - 1
    WHERE help_center_status = OLD.help_center_status AND is_spam = OLD.is_spam
      AND is_deleted = (OLD.deleted_at IS NOT NULL) AND has_email = (OLD.email IS NOT NULL)
      AND possible_duplicate = OLD.possible_duplicate;
    INSERT INTO contact_view_counts
    VALUES (NEW.help_center_status, NEW.is_spam, NEW.deleted_at IS NOT NULL, NEW.email IS NOT NULL, NEW.possible_duplicate, 1)
    ON CONFLICT (help_center_status, is_spam, is_deleted, has_email, possible_duplicate)
    DO UPDATE SET contacts = contacts + 1;
END;

CREATE VIRTUAL TABLE contacts_search USING fts5 (
    name, email, phone,
    content = 'contacts', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO contacts_search (contacts_search) VALUES ('rebuild');

CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_search (rowid, name, email, phone) VALUES (NEW.id, NEW.name, NEW.email, NEW.phone);
END;
CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_search (contacts_search, rowid, name, email, phone) VALUES ('delete', OLD.id, OLD.name, OLD.email, OLD.phone);
END;
CREATE TRIGGER contacts_search_update AFTER UPDATE OF name, email, phone ON contacts BEGIN
    INSERT INTO contacts_search (contacts_search, rowid, name, email, phone) VALUES ('delete', OLD.id, OLD.name, OLD.email, OLD.phone);
    INSERT INTO contacts_search (rowid, name, email, phone) VALUES (NEW.id, NEW.name, NEW.email, NEW.phone);
END;

-- Keysets: each list sort reads an index in order and stops after one page.
DROP INDEX contacts_live_name;
CREATE INDEX contacts_listed_name ON contacts (name, id) WHERE deleted_at IS NULL AND is_spam = 0;
CREATE INDEX contacts_listed_email ON contacts (email, id) WHERE deleted_at IS NULL AND is_spam = 0;
CREATE INDEX contacts_listed_created ON contacts (created_at, id) WHERE deleted_at IS NULL AND is_spam = 0;
CREATE INDEX contacts_listed_invited ON contacts (last_invited_at, id) WHERE deleted_at IS NULL AND is_spam = 0;
CREATE INDEX contacts_listed_status ON contacts (help_center_status, name, id) WHERE deleted_at IS NULL AND is_spam = 0;
CREATE INDEX contacts_invitation_expiry ON contacts (invitation_expires_at) WHERE help_center_status = 'invited' AND deleted_at IS NULL AND is_spam = 0;
CREATE INDEX contacts_spam ON contacts (name, id) WHERE deleted_at IS NULL AND is_spam = 1;
CREATE INDEX contacts_deleted ON contacts (deleted_at, id) WHERE deleted_at IS NOT NULL;
CREATE INDEX contacts_duplicates ON contacts (name, id) WHERE possible_duplicate = 1 AND deleted_at IS NULL;
CREATE INDEX contacts_without_email ON contacts (name, id) WHERE email IS NULL AND deleted_at IS NULL AND is_spam = 0;
CREATE INDEX contacts_name_phone ON contacts (name, phone) WHERE phone IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX contacts_import ON contacts (import_id, name, id) WHERE import_id IS NOT NULL;

CREATE TABLE contact_views (
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
CREATE INDEX contact_views_agent ON contact_views (agent_id);

-- Names sort as people expect: "Émilie" with the E's, "de Vries" with the D's, not after Z.
-- The sort key is the name as the search compares it (folded where the app stored a folded
-- form, else lowercased), and every index that sorted by the name sorts by it. The search
-- index's keys (migration 000049) follow the list's order, so they are made from it too.
ALTER TABLE contacts ADD COLUMN name_sort TEXT GENERATED ALWAYS AS (coalesce(name_folded, lower(name))) VIRTUAL;

DROP INDEX contacts_listed_name;
DROP INDEX contacts_listed_status;
DROP INDEX contacts_spam;
DROP INDEX contacts_duplicates;
DROP INDEX contacts_without_email;
DROP INDEX contacts_import;
CREATE INDEX contacts_listed_name ON contacts (name_sort, id) WHERE deleted_at IS NULL AND is_spam = 0;
CREATE INDEX contacts_listed_status ON contacts (help_center_status, name_sort, id) WHERE deleted_at IS NULL AND is_spam = 0;
CREATE INDEX contacts_spam ON contacts (name_sort, id) WHERE deleted_at IS NULL AND is_spam = 1;
CREATE INDEX contacts_duplicates ON contacts (name_sort, id) WHERE possible_duplicate = 1 AND deleted_at IS NULL;
CREATE INDEX contacts_without_email ON contacts (name_sort, id) WHERE email IS NULL AND deleted_at IS NULL AND is_spam = 0;
CREATE INDEX contacts_import ON contacts (import_id, name_sort, id) WHERE import_id IS NOT NULL;

DROP TRIGGER contacts_search_account_deleted;
DROP TRIGGER contacts_search_account_renamed;
DROP TRIGGER contacts_search_update;
DROP TRIGGER contacts_search_delete;
DROP TRIGGER contacts_search_insert;
DROP TABLE contacts_search;
ALTER TABLE contacts DROP COLUMN search_key;
ALTER TABLE contacts ADD COLUMN search_key INTEGER GENERATED ALWAYS AS ((CASE
    WHEN coalesce(unicode(name_sort), 0) >= 2047 THEN 2047 << 20
    WHEN coalesce(unicode(substr(name_sort, 2, 1)), 0) >= 1023 THEN (unicode(name_sort) << 20) | (1023 << 10)
    ELSE (coalesce(unicode(name_sort), 0) << 20)
        | (coalesce(unicode(substr(name_sort, 2, 1)), 0) << 10)
        | min(coalesce(unicode(substr(name_sort, 3, 1)), 0), 1023)
END << 32) | id) VIRTUAL;

CREATE VIRTUAL TABLE contacts_search USING fts5 (
    name, email, phone, account,
    content = 'contacts', content_rowid = 'search_key',
    tokenize = 'trigram remove_diacritics 1', detail = 'none', columnsize = 0
);
INSERT INTO contacts_search (contacts_search, rank) VALUES ('hashsize', 67108864);
INSERT INTO contacts_search (rowid, name, email, phone, account)
SELECT contacts.search_key, contacts.name, contacts.email, contacts.phone, accounts.name
FROM contacts LEFT JOIN accounts ON accounts.id = contacts.account_id
ORDER BY contacts.search_key;
INSERT INTO contacts_search (contacts_search, rank) VALUES ('hashsize', 1048576);

-- As migration 000086 made them; a folded name now moves the contact's key too.
CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_search (rowid, name, email, phone, account) VALUES (
        NEW.search_key, NEW.name, NEW.email, NEW.phone,
        (SELECT name FROM accounts WHERE id = NEW.account_id));
END;
CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_search (contacts_search, rowid, name, email, phone, account) VALUES (
        'delete', OLD.search_key, OLD.name, OLD.email, OLD.phone,
        (SELECT name FROM accounts WHERE id = OLD.account_id));
END;
CREATE TRIGGER contacts_search_update AFTER UPDATE OF name, name_folded, email, phone, account_id ON contacts BEGIN
    INSERT INTO contacts_search (contacts_search, rowid, name, email, phone, account) VALUES (
        'delete', OLD.search_key, OLD.name, OLD.email, OLD.phone,
        (SELECT name FROM accounts WHERE id = OLD.account_id));
    INSERT INTO contacts_search (rowid, name, email, phone, account) VALUES (
        NEW.search_key, NEW.name, NEW.email, NEW.phone,
        (SELECT name FROM accounts WHERE id = NEW.account_id));
END;
CREATE TRIGGER contacts_search_account_renamed AFTER UPDATE OF name ON accounts BEGIN
    INSERT INTO contacts_search (contacts_search, rowid, name, email, phone, account)
    SELECT 'delete', search_key, name, email, phone, OLD.name FROM contacts WHERE account_id = NEW.id;
    INSERT INTO contacts_search (rowid, name, email, phone, account)
    SELECT search_key, name, email, phone, NEW.name FROM contacts WHERE account_id = NEW.id;
END;
CREATE TRIGGER contacts_search_account_deleted BEFORE DELETE ON accounts BEGIN
    UPDATE contacts SET account_id = NULL WHERE account_id = OLD.id;
END;

-- Accounts too, in their list and the account field's suggestions.
ALTER TABLE accounts ADD COLUMN name_sort TEXT
    GENERATED ALWAYS AS (coalesce(name_folded, lower(name))) VIRTUAL;
DROP INDEX accounts_name;
CREATE INDEX accounts_name ON accounts (name_sort, id);

DROP INDEX accounts_name;
ALTER TABLE accounts DROP COLUMN name_sort;
CREATE INDEX accounts_name ON accounts (name);
DROP TRIGGER contacts_search_account_deleted;
DROP TRIGGER contacts_search_account_renamed;
DROP TRIGGER contacts_search_update;
DROP TRIGGER contacts_search_delete;
DROP TRIGGER contacts_search_insert;
DROP TABLE contacts_search;
ALTER TABLE contacts DROP COLUMN search_key;
ALTER TABLE contacts ADD COLUMN search_key INTEGER GENERATED ALWAYS AS ((CASE
    WHEN coalesce(unicode(name), 0) >= 2047 THEN 2047 << 20
    WHEN coalesce(unicode(substr(name, 2, 1)), 0) >= 1023 THEN (unicode(name) << 20) | (1023 << 10)
    ELSE (coalesce(unicode(name), 0) << 20)
        | (coalesce(unicode(substr(name, 2, 1)), 0) << 10)
        | min(coalesce(unicode(substr(name, 3, 1)), 0), 1023)
END << 32) | id) VIRTUAL;

CREATE VIRTUAL TABLE contacts_search USING fts5 (
    name, email, phone, account,
    content = 'contacts', content_rowid = 'search_key',
    tokenize = 'trigram remove_diacritics 1', detail = 'none', columnsize = 0
);
-- In key order, as migration 000049 explains.
INSERT INTO contacts_search (contacts_search, rank) VALUES ('hashsize', 67108864);
INSERT INTO contacts_search (rowid, name, email, phone, account)
SELECT contacts.search_key, contacts.name, contacts.email, contacts.phone, accounts.name
FROM contacts LEFT JOIN accounts ON accounts.id = contacts.account_id
ORDER BY contacts.search_key;
INSERT INTO contacts_search (contacts_search, rank) VALUES ('hashsize', 1048576);

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
CREATE TRIGGER contacts_search_update AFTER UPDATE OF name, email, phone, account_id ON contacts BEGIN
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
-- Before the foreign key sets the contacts' account to NULL: their index entries are removed
-- with the name they were indexed under.
CREATE TRIGGER contacts_search_account_deleted BEFORE DELETE ON accounts BEGIN
    UPDATE contacts SET account_id = NULL WHERE account_id = OLD.id;
END;


DROP INDEX contacts_listed_name;
DROP INDEX contacts_listed_status;
DROP INDEX contacts_spam;
DROP INDEX contacts_duplicates;
DROP INDEX contacts_without_email;
DROP INDEX contacts_import;
CREATE INDEX contacts_listed_name ON contacts (name, id) WHERE deleted_at IS NULL AND is_spam = 0;
CREATE INDEX contacts_listed_status ON contacts (help_center_status, name, id) WHERE deleted_at IS NULL AND is_spam = 0;
CREATE INDEX contacts_spam ON contacts (name, id) WHERE deleted_at IS NULL AND is_spam = 1;
CREATE INDEX contacts_duplicates ON contacts (name, id) WHERE possible_duplicate = 1 AND deleted_at IS NULL;
CREATE INDEX contacts_without_email ON contacts (name, id) WHERE email IS NULL AND deleted_at IS NULL AND is_spam = 0;
CREATE INDEX contacts_import ON contacts (import_id, name, id) WHERE import_id IS NOT NULL;
ALTER TABLE contacts DROP COLUMN name_sort;

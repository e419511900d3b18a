-- Search ignores accents and finds contacts by their account's name. The app stores each
-- non-ASCII name folded (lowercase, accents off: `domain::folded`) beside it, for the
-- confirming text test, and fills the column for existing rows at start-up; the trigram
-- indexes fold accents themselves (remove_diacritics).
ALTER TABLE contacts ADD COLUMN name_folded TEXT;
ALTER TABLE accounts ADD COLUMN name_folded TEXT;

DROP TRIGGER contacts_search_update;
DROP TRIGGER contacts_search_delete;
DROP TRIGGER contacts_search_insert;
DROP TABLE contacts_search;

-- The account's name is indexed with each of its contacts. The external content has no such
-- column: the index is only ever asked for rowids, and every removal below names the values
-- it was given, the account's name read while the account still exists.
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

-- Which accounts' names hold a term: a few thousand rows, read for every search.
CREATE VIRTUAL TABLE accounts_search USING fts5 (
    name, content = 'accounts', content_rowid = 'id', tokenize = 'trigram remove_diacritics 1'
);
INSERT INTO accounts_search (accounts_search) VALUES ('rebuild');
CREATE TRIGGER accounts_search_insert AFTER INSERT ON accounts BEGIN
    INSERT INTO accounts_search (rowid, name) VALUES (NEW.id, NEW.name);
END;
CREATE TRIGGER accounts_search_delete AFTER DELETE ON accounts BEGIN
    INSERT INTO accounts_search (accounts_search, rowid, name) VALUES ('delete', OLD.id, OLD.name);
END;
CREATE TRIGGER accounts_search_update AFTER UPDATE OF name ON accounts BEGIN
    INSERT INTO accounts_search (accounts_search, rowid, name) VALUES ('delete', OLD.id, OLD.name);
    INSERT INTO accounts_search (rowid, name) VALUES (NEW.id, NEW.name);
END;

DROP TRIGGER accounts_search_update;
DROP TRIGGER accounts_search_delete;
DROP TRIGGER accounts_search_insert;
DROP TABLE accounts_search;
DROP TRIGGER contacts_search_account_deleted;
DROP TRIGGER contacts_search_account_renamed;
DROP TRIGGER contacts_search_update;
DROP TRIGGER contacts_search_delete;
DROP TRIGGER contacts_search_insert;
DROP TABLE contacts_search;

CREATE VIRTUAL TABLE contacts_search USING fts5 (
    name, email, phone,
    content = 'contacts', content_rowid = 'search_key', tokenize = 'trigram', detail = 'none', columnsize = 0
);
INSERT INTO contacts_search (contacts_search, rank) VALUES ('hashsize', 67108864);
INSERT INTO contacts_search (rowid, name, email, phone)
SELECT search_key, name, email, phone FROM contacts ORDER BY search_key;
INSERT INTO contacts_search (contacts_search, rank) VALUES ('hashsize', 1048576);
CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_search (rowid, name, email, phone) VALUES (NEW.search_key, NEW.name, NEW.email, NEW.phone);
END;
CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_search (contacts_search, rowid, name, email, phone) VALUES ('delete', OLD.search_key, OLD.name, OLD.email, OLD.phone);
END;
CREATE TRIGGER contacts_search_update AFTER UPDATE OF name, email, phone ON contacts BEGIN
    INSERT INTO contacts_search (contacts_search, rowid, name, email, phone) VALUES ('delete', OLD.search_key, OLD.name, OLD.email, OLD.phone);
    INSERT INTO contacts_search (rowid, name, email, phone) VALUES (NEW.search_key, NEW.name, NEW.email, NEW.phone);
END;

ALTER TABLE accounts DROP COLUMN name_folded;
ALTER TABLE contacts DROP COLUMN name_folded;

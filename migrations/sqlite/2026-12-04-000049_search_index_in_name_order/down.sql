DROP TRIGGER contacts_search_update;
DROP TRIGGER contacts_search_delete;
DROP TRIGGER contacts_search_insert;
DROP TABLE contacts_search;
ALTER TABLE contacts DROP COLUMN search_key;

CREATE VIRTUAL TABLE contacts_search USING fts5 (
    name, email, phone,
    content = 'contacts', content_rowid = 'id', tokenize = 'trigram', detail = 'none', columnsize = 0
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

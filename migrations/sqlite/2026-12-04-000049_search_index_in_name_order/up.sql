-- The trigram index keyed in name order, so a broad search's first page in name order reads
-- its first matches from the index instead of every match (16,620 for a common last name at
-- 1M contacts). A contact's key is a bucket of its name's first three characters in the high
-- 31 bits and its id in the low 32: keys ascend with (name, id) from one bucket to the next,
-- and inside a bucket they ascend by id. The bucket is each character's code point (the
-- order SQLite's BINARY collation gives UTF-8 text) while it fits its bits: 11 for the first,
-- 10 for the second and third; the first character that does not fit is given its field's
-- largest value and the fields after it zero, so the bucket never runs against name order.
-- The search code computes the same bucket (db::models::contact::name_order).
DROP TRIGGER contacts_search_update;
DROP TRIGGER contacts_search_delete;
DROP TRIGGER contacts_search_insert;
DROP TABLE contacts_search;

ALTER TABLE contacts ADD COLUMN search_key INTEGER GENERATED ALWAYS AS ((CASE
    WHEN coalesce(unicode(name), 0) >= 2047 THEN 2047 << 20
    WHEN coalesce(unicode(substr(name, 2, 1)), 0) >= 1023 THEN (unicode(name) << 20) | (1023 << 10)
    ELSE (coalesce(unicode(name), 0) << 20)
        | (coalesce(unicode(substr(name, 2, 1)), 0) << 10)
        | min(coalesce(unicode(substr(name, 3, 1)), 0), 1023)
END << 32) | id) VIRTUAL;

CREATE VIRTUAL TABLE contacts_search USING fts5 (
    name, email, phone,
    content = 'contacts', content_rowid = 'search_key', tokenize = 'trigram', detail = 'none', columnsize = 0
);
-- In key order: FTS5 writes out its buffer whenever a key is lower than the one before, so
-- the contacts in table order would leave it a segment per row ('rebuild' reads them so).
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

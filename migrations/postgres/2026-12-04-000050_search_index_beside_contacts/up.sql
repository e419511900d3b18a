-- The trigram index leaves the contacts table for a table of its own, kept by triggers, as
-- SQLite keeps its FTS5 index beside the contacts. PostgreSQL updates no row in place when an
-- indexed column changes: the new version gets an entry in every index of the table. An
-- invite changes only the Help Center status and dates, yet each invited contact added some
-- 70 trigram entries to the GIN index's pending list, and every few mass invites the one that
-- filled the list merged it into the index: a 500-contact invite's UPDATE took 64-169 ms
-- (57-84 ms without the GIN index), 135-152 ms with the pending list off. Here the search
-- table changes only when a name, email or phone does.
CREATE TABLE contacts_search (
    contact_id BIGINT PRIMARY KEY,
    document TEXT NOT NULL
);
-- A search reads a few thousand of its rows at most; starting parallel workers for that (the
-- planner's choice for a common name's count) took 8-9 ms where one backend takes 3.
ALTER TABLE contacts_search SET (parallel_workers = 0);

-- What a search looks in: name, email and phone, lowercased, as the old index expression.
CREATE FUNCTION contacts_search_document(name TEXT, email TEXT, phone TEXT) RETURNS TEXT
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT lower(name || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '')) $$;

-- Inserts and deletes once per statement (a bulk import or the seed's COPY inserts its rows
-- in one go); updates once per row, and only for rows whose searched fields changed.
CREATE FUNCTION contacts_search_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO contacts_search (contact_id, document)
    SELECT id, contacts_search_document(name, email, phone) FROM added;
    RETURN NULL;
END $$;

CREATE FUNCTION contacts_search_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM contacts_search WHERE contact_id IN (SELECT id FROM removed);
    RETURN NULL;
END $$;

CREATE FUNCTION contacts_search_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contacts_search
    SET document = contacts_search_document(NEW.name, NEW.email, NEW.phone)
    WHERE contact_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION contacts_search_add();
CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION contacts_search_remove();
CREATE TRIGGER contacts_search_update AFTER UPDATE OF name, email, phone ON contacts
    FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name
          OR OLD.email IS DISTINCT FROM NEW.email
          OR OLD.phone IS DISTINCT FROM NEW.phone)
    EXECUTE FUNCTION contacts_search_change();

INSERT INTO contacts_search (contact_id, document)
SELECT id, contacts_search_document(name, email, phone) FROM contacts;

DROP INDEX contacts_search_trgm;
CREATE INDEX contacts_search_trgm ON contacts_search USING gin (document gin_trgm_ops);
ANALYZE contacts_search;

DROP INDEX contacts_listed_name;
CREATE INDEX contacts_listed_name ON contacts (name, id, lower(name), lower(phone))
    INCLUDE (email, phone)
    WHERE deleted_at IS NULL AND is_spam = false;
DROP INDEX accounts_search_trgm;

DROP TRIGGER contacts_search_account_renamed ON accounts;
DROP TRIGGER contacts_search_update ON contacts;
DROP TRIGGER contacts_search_insert ON contacts;
DROP FUNCTION contacts_search_account_renamed();
DROP FUNCTION contacts_search_change();
DROP FUNCTION contacts_search_add();
DROP FUNCTION contacts_search_document(TEXT, TEXT, TEXT, TEXT, TEXT);
DROP FUNCTION search_name(TEXT, TEXT);

CREATE FUNCTION contacts_search_document(name TEXT, email TEXT, phone TEXT) RETURNS TEXT
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT lower(name || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '')) $$;
CREATE FUNCTION contacts_search_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO contacts_search (contact_id, document)
    SELECT id, contacts_search_document(name, email, phone) FROM added;
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
CREATE TRIGGER contacts_search_update AFTER UPDATE OF name, email, phone ON contacts
    FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name
          OR OLD.email IS DISTINCT FROM NEW.email
          OR OLD.phone IS DISTINCT FROM NEW.phone)
    EXECUTE FUNCTION contacts_search_change();
DROP INDEX contacts_search_trgm;
TRUNCATE contacts_search;
INSERT INTO contacts_search (contact_id, document)
SELECT id, contacts_search_document(name, email, phone) FROM contacts;
CREATE INDEX contacts_search_trgm ON contacts_search USING gin (document gin_trgm_ops);

ALTER TABLE accounts DROP COLUMN name_folded;
ALTER TABLE contacts DROP COLUMN name_folded;

-- Search ignores accents and finds contacts by their account's name. The app stores each
-- non-ASCII name folded (lowercase, accents off: `domain::folded`) beside it and fills the
-- column for existing rows at start-up; the search document holds the folded name, the
-- email, the phone and the account's folded name.
ALTER TABLE contacts ADD COLUMN name_folded TEXT;
ALTER TABLE accounts ADD COLUMN name_folded TEXT;

DROP TRIGGER contacts_search_update ON contacts;
DROP TRIGGER contacts_search_insert ON contacts;
DROP FUNCTION contacts_search_change();
DROP FUNCTION contacts_search_add();
DROP FUNCTION contacts_search_document(TEXT, TEXT, TEXT);

-- How a name is compared: folded where the app stored a folded form, else lowercased.
CREATE FUNCTION search_name(name TEXT, name_folded TEXT) RETURNS TEXT
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT coalesce(name_folded, lower(name)) $$;

CREATE FUNCTION contacts_search_document(
    name TEXT, name_folded TEXT, email TEXT, phone TEXT, account TEXT
) RETURNS TEXT LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT search_name(name, name_folded) || ' ' || coalesce(email, '') || ' '
        || lower(coalesce(phone, '')) || ' ' || coalesce(account, '') $$;

CREATE FUNCTION contacts_search_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO contacts_search (contact_id, document)
    SELECT added.id, contacts_search_document(added.name, added.name_folded, added.email,
        added.phone, search_name(accounts.name, accounts.name_folded))
    FROM added LEFT JOIN accounts ON accounts.id = added.account_id;
    RETURN NULL;
END $$;

CREATE FUNCTION contacts_search_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contacts_search
    SET document = contacts_search_document(NEW.name, NEW.name_folded, NEW.email, NEW.phone,
        (SELECT search_name(accounts.name, accounts.name_folded) FROM accounts
         WHERE accounts.id = NEW.account_id))
    WHERE contact_id = NEW.id;
    RETURN NULL;
END $$;

-- A renamed account's contacts are found by its new name.
CREATE FUNCTION contacts_search_account_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contacts_search
    SET document = contacts_search_document(contacts.name, contacts.name_folded, contacts.email,
        contacts.phone, search_name(NEW.name, NEW.name_folded))
    FROM contacts
    WHERE contacts.account_id = NEW.id AND contacts_search.contact_id = contacts.id;
    RETURN NULL;
END $$;

CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION contacts_search_add();
CREATE TRIGGER contacts_search_update AFTER UPDATE OF name, name_folded, email, phone, account_id
    ON contacts FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name
          OR OLD.name_folded IS DISTINCT FROM NEW.name_folded
          OR OLD.email IS DISTINCT FROM NEW.email
          OR OLD.phone IS DISTINCT FROM NEW.phone
          OR OLD.account_id IS DISTINCT FROM NEW.account_id)
    EXECUTE FUNCTION contacts_search_change();
CREATE TRIGGER contacts_search_account_renamed AFTER UPDATE OF name, name_folded ON accounts
    FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.name_folded IS DISTINCT FROM NEW.name_folded)
    EXECUTE FUNCTION contacts_search_account_renamed();

-- Every document written afresh, the trigram index built once after.
DROP INDEX contacts_search_trgm;
TRUNCATE contacts_search;
INSERT INTO contacts_search (contact_id, document)
SELECT contacts.id, contacts_search_document(contacts.name, contacts.name_folded, contacts.email,
    contacts.phone, search_name(accounts.name, accounts.name_folded))
FROM contacts LEFT JOIN accounts ON accounts.id = contacts.account_id;
CREATE INDEX contacts_search_trgm ON contacts_search USING gin (document gin_trgm_ops);
ANALYZE contacts_search;

-- Which accounts' names hold a term: read for every search.
CREATE INDEX accounts_search_trgm ON accounts USING gin (search_name(name, name_folded) gin_trgm_ops);

-- The walk of a broad search by name tests the folded name and the account in the index too
-- (migration 000051: an index-only scan).
DROP INDEX contacts_listed_name;
CREATE INDEX contacts_listed_name ON contacts (name, id, lower(name), lower(phone))
    INCLUDE (email, phone, name_folded, account_id)
    WHERE deleted_at IS NULL AND is_spam = false;

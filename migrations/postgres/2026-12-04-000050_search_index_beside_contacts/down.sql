DROP TRIGGER contacts_search_update ON contacts;
DROP TRIGGER contacts_search_delete ON contacts;
DROP TRIGGER contacts_search_insert ON contacts;
DROP FUNCTION contacts_search_change();
DROP FUNCTION contacts_search_remove();
DROP FUNCTION contacts_search_add();
DROP TABLE contacts_search;
DROP FUNCTION contacts_search_document(TEXT, TEXT, TEXT);
CREATE INDEX contacts_search_trgm ON contacts USING gin (
    (lower(name || ' ' || coalesce(email, '') || ' ' || coalesce(phone, ''))) gin_trgm_ops
);

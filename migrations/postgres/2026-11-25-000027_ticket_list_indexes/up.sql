-- The tickets list runs newest update first, whole or by status, a page at a time (keyset on
-- updated_at, id): each page is a short index range instead of a sort of the table.
CREATE INDEX tickets_updated ON tickets (updated_at, id);
CREATE INDEX tickets_status_updated ON tickets (status, updated_at, id);

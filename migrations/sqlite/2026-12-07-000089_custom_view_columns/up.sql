-- The columns a custom view shows after the name, in order: a JSON array of field names
-- (`contacts::conditions::Field`); NULL shows the list's usual columns.
ALTER TABLE contact_views ADD COLUMN shown_columns TEXT;

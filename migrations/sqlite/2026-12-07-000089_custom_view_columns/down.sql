ALTER TABLE contact_views DROP COLUMN shown_columns;

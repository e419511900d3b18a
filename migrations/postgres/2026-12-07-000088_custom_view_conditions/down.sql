-- The conditions do not go back into fixed criteria: views come back empty of them.
ALTER TABLE contact_views
    ADD COLUMN account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    ADD COLUMN help_center_status TEXT,
    ADD COLUMN email_domain TEXT,
    ADD COLUMN created_from TIMESTAMP,
    ADD COLUMN created_until TIMESTAMP,
    ADD COLUMN has_open_tickets BOOLEAN,
    ADD COLUMN name_contains TEXT;
ALTER TABLE contact_views DROP COLUMN match_any, DROP COLUMN conditions;

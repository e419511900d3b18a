DROP INDEX contacts_listed_name;
CREATE INDEX contacts_listed_name ON contacts (name, id) WHERE deleted_at IS NULL AND is_spam = false;
ALTER TABLE contacts RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold);

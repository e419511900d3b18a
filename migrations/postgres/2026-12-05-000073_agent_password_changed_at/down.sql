ALTER TABLE agents DROP COLUMN password_changed_at;

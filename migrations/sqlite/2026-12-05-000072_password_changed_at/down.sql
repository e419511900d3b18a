ALTER TABLE portal_accounts DROP COLUMN password_changed_at;

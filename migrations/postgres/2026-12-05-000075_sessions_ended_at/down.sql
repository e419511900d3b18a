ALTER TABLE portal_accounts DROP COLUMN sessions_ended_at;
ALTER TABLE agents DROP COLUMN sessions_ended_at;

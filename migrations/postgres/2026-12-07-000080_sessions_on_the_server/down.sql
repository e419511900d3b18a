ALTER TABLE portal_accounts ADD COLUMN sessions_ended_at TIMESTAMP;
ALTER TABLE agents ADD COLUMN sessions_ended_at TIMESTAMP;
DROP TABLE sessions;

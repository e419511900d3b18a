-- Sessions signed in before this moment end (auth::guard): set when the password changes, as
-- password_changed_at was, and when someone signs out of their other sessions without
-- changing it. password_changed_at keeps saying only when the password changed.
ALTER TABLE agents ADD COLUMN sessions_ended_at TIMESTAMP;
UPDATE agents SET sessions_ended_at = password_changed_at;
ALTER TABLE portal_accounts ADD COLUMN sessions_ended_at TIMESTAMP;
UPDATE portal_accounts SET sessions_ended_at = password_changed_at;

DELETE FROM delivery_attempts WHERE outcome IN ('reminder_sent', 'reminder_failed');
CREATE TABLE delivery_attempts_old (
    id INTEGER PRIMARY KEY,
    invitation_id INTEGER NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    attempted_at TIMESTAMP NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('sent', 'transient_failure', 'permanent_failure', 'unconfirmed')),
    smtp_code INTEGER,
    error TEXT
);
INSERT INTO delivery_attempts_old (id, invitation_id, attempted_at, outcome, smtp_code, error)
    SELECT id, invitation_id, attempted_at, outcome, smtp_code, error FROM delivery_attempts;
DROP TABLE delivery_attempts;
ALTER TABLE delivery_attempts_old RENAME TO delivery_attempts;
CREATE INDEX delivery_attempts_invitation ON delivery_attempts (invitation_id, attempted_at);
DROP INDEX invitations_awaiting_reminder;
ALTER TABLE invitations DROP COLUMN reminded_at;
ALTER TABLE invitations DROP COLUMN link_seed;

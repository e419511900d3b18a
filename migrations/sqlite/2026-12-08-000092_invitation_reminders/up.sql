-- The seed an invitation's link is made from with the server's secret key, so that a reminder
-- can send the same link; the link itself is still kept only as its digest. Invitations from
-- before reminders have none and get no reminder.
ALTER TABLE invitations ADD COLUMN link_seed TEXT;

-- When an instance claimed this invitation's one reminder (claimed once, then sent).
ALTER TABLE invitations ADD COLUMN reminded_at TIMESTAMP;

-- The job runners look for delivered invitations not yet reminded, oldest first.
CREATE INDEX invitations_awaiting_reminder ON invitations (sent_at)
    WHERE state = 'sent' AND reminded_at IS NULL;

-- An invitation's attempts list its reminder, sent or not. SQLite cannot change a CHECK, so
-- the table is rebuilt with the two new outcomes allowed.
CREATE TABLE delivery_attempts_new (
    id INTEGER PRIMARY KEY,
    invitation_id INTEGER NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    attempted_at TIMESTAMP NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('sent', 'transient_failure', 'permanent_failure', 'unconfirmed', 'reminder_sent', 'reminder_failed')),
    smtp_code INTEGER,
    error TEXT
);
INSERT INTO delivery_attempts_new (id, invitation_id, attempted_at, outcome, smtp_code, error)
    SELECT id, invitation_id, attempted_at, outcome, smtp_code, error FROM delivery_attempts;
DROP TABLE delivery_attempts;
ALTER TABLE delivery_attempts_new RENAME TO delivery_attempts;
CREATE INDEX delivery_attempts_invitation ON delivery_attempts (invitation_id, attempted_at);

-- "Delivery unknown": a send the mail server took but never confirmed (its reply timed out
-- or the connection dropped after the message was written). The invitation stays live, so
-- its link works if the email arrived, with unconfirmed_at set; its attempt and its mass
-- invite row say so, and retrying failures leaves it alone. SQLite cannot change a CHECK,
-- so the two leaf tables are rebuilt with the new outcome allowed.
ALTER TABLE invitations ADD COLUMN unconfirmed_at TIMESTAMP;

CREATE TABLE delivery_attempts_new (
    id INTEGER PRIMARY KEY,
    invitation_id INTEGER NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    attempted_at TIMESTAMP NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('sent', 'transient_failure', 'permanent_failure', 'unconfirmed')),
    smtp_code INTEGER,
    error TEXT
);
INSERT INTO delivery_attempts_new (id, invitation_id, attempted_at, outcome, smtp_code, error)
    SELECT id, invitation_id, attempted_at, outcome, smtp_code, error FROM delivery_attempts;
DROP TABLE delivery_attempts;
ALTER TABLE delivery_attempts_new RENAME TO delivery_attempts;
CREATE INDEX delivery_attempts_invitation ON delivery_attempts (invitation_id, attempted_at);

CREATE TABLE invite_batch_rows_new (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES invite_batches (id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    outcome TEXT NOT NULL CHECK (outcome IN ('invited', 'skipped', 'failed', 'unknown')),
    reason TEXT NOT NULL DEFAULT ''
);
INSERT INTO invite_batch_rows_new (id, batch_id, contact_id, outcome, reason)
    SELECT id, batch_id, contact_id, outcome, reason FROM invite_batch_rows;
DROP TABLE invite_batch_rows;
ALTER TABLE invite_batch_rows_new RENAME TO invite_batch_rows;
CREATE INDEX invite_batch_rows_batch ON invite_batch_rows (batch_id, outcome);

ALTER TABLE invite_batches ADD COLUMN unknown INTEGER NOT NULL DEFAULT 0;

-- A mass invite goes on after its page answers, and an instance that dies mid-send leaves it
-- to another: the mass invite keeps the contacts it was asked for and whether to resend, and
-- is claimed, like a bulk job, by whoever sends it, until it is finished.
ALTER TABLE invite_batches ADD COLUMN contact_ids TEXT NOT NULL DEFAULT '[]';
ALTER TABLE invite_batches ADD COLUMN resend BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE invite_batches ADD COLUMN claimed_until TIMESTAMP;
ALTER TABLE invite_batches ADD COLUMN claim_token TEXT;
ALTER TABLE invite_batches ADD COLUMN finished_at TIMESTAMP;
-- Mass invites from before ran inside their request: each is over, one way or another.
UPDATE invite_batches SET finished_at = created_at;
-- The runners' look for a mass invite whose sender stopped.
CREATE INDEX invite_batches_unfinished ON invite_batches (claimed_until)
    WHERE finished_at IS NULL;

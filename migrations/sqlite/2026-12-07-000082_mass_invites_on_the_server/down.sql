DROP INDEX invite_batches_unfinished;
ALTER TABLE invite_batches DROP COLUMN finished_at;
ALTER TABLE invite_batches DROP COLUMN claim_token;
ALTER TABLE invite_batches DROP COLUMN claimed_until;
ALTER TABLE invite_batches DROP COLUMN resend;
ALTER TABLE invite_batches DROP COLUMN contact_ids;

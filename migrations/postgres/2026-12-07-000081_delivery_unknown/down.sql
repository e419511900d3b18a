ALTER TABLE invite_batches DROP COLUMN unknown;
ALTER TABLE invitations DROP COLUMN unconfirmed_at;

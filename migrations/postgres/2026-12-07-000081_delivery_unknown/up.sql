-- "Delivery unknown": a send the mail server took but never confirmed (its reply timed out
-- or the connection dropped after the message was written). The invitation stays live, so
-- its link works if the email arrived, with unconfirmed_at set; its attempt and its mass
-- invite row say so, and retrying failures leaves it alone.
ALTER TABLE invitations ADD COLUMN unconfirmed_at TIMESTAMP;
ALTER TABLE delivery_attempts
    DROP CONSTRAINT delivery_attempts_outcome_check,
    ADD CONSTRAINT delivery_attempts_outcome_check
        CHECK (outcome IN ('sent', 'transient_failure', 'permanent_failure', 'unconfirmed'));
ALTER TABLE invite_batch_rows
    DROP CONSTRAINT invite_batch_rows_outcome_check,
    ADD CONSTRAINT invite_batch_rows_outcome_check
        CHECK (outcome IN ('invited', 'skipped', 'failed', 'unknown'));
ALTER TABLE invite_batches ADD COLUMN unknown BIGINT NOT NULL DEFAULT 0;

DELETE FROM delivery_attempts WHERE outcome IN ('reminder_sent', 'reminder_failed');
ALTER TABLE delivery_attempts
    DROP CONSTRAINT delivery_attempts_outcome_check,
    ADD CONSTRAINT delivery_attempts_outcome_check
        CHECK (outcome IN ('sent', 'transient_failure', 'permanent_failure', 'unconfirmed'));
DROP INDEX invitations_awaiting_reminder;
ALTER TABLE invitations DROP COLUMN reminded_at;
ALTER TABLE invitations DROP COLUMN link_seed;

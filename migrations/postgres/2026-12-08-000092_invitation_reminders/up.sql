-- The seed an invitation's link is made from with the server's secret key, so that a reminder
-- can send the same link; the link itself is still kept only as its digest. Invitations from
-- before reminders have none and get no reminder.
ALTER TABLE invitations ADD COLUMN link_seed TEXT;

-- When an instance claimed this invitation's one reminder (claimed once, then sent).
ALTER TABLE invitations ADD COLUMN reminded_at TIMESTAMP;

-- The job runners look for delivered invitations not yet reminded, oldest first.
CREATE INDEX invitations_awaiting_reminder ON invitations (sent_at)
    WHERE state = 'sent' AND reminded_at IS NULL;

-- An invitation's attempts list its reminder, sent or not.
ALTER TABLE delivery_attempts
    DROP CONSTRAINT delivery_attempts_outcome_check,
    ADD CONSTRAINT delivery_attempts_outcome_check
        CHECK (outcome IN ('sent', 'transient_failure', 'permanent_failure', 'unconfirmed',
                           'reminder_sent', 'reminder_failed'));

DROP INDEX contacts_invitation_expiry;
CREATE INDEX contacts_invitation_expiry ON contacts (invitation_expires_at) WHERE help_center_status = 'invited' AND deleted_at IS NULL AND is_spam = 0;
DROP TRIGGER contacts_daily_update;
DROP TRIGGER contacts_daily_delete;
DROP TRIGGER contacts_daily_insert;
DROP TABLE contact_daily_counts;

DROP INDEX contacts_invitation_expiry;
CREATE INDEX contacts_invitation_expiry ON contacts (invitation_expires_at) WHERE help_center_status = 'invited' AND deleted_at IS NULL AND is_spam = false;
DROP TRIGGER contacts_daily_update_add ON contacts;
DROP TRIGGER contacts_daily_update_remove ON contacts;
DROP TRIGGER contacts_daily_delete ON contacts;
DROP TRIGGER contacts_daily_insert ON contacts;
DROP FUNCTION contact_daily_counts_add();
DROP FUNCTION contact_daily_counts_remove();
DROP TABLE contact_daily_counts;

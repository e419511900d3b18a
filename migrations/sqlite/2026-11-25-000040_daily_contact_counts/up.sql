-- "Added in the last 30 days" at a million contacts: counting tens of thousands of index
-- entries on every list page is too slow, so listed contacts are also counted per creation day.
CREATE TABLE contact_daily_counts (
    day TEXT PRIMARY KEY,
    contacts INTEGER NOT NULL
);

INSERT INTO contact_daily_counts (day, contacts)
SELECT substr(created_at, 1, 10), count(*) FROM contacts
WHERE deleted_at IS NULL AND is_spam = 0
GROUP BY 1;

CREATE TRIGGER contacts_daily_insert AFTER INSERT ON contacts
WHEN NEW.deleted_at IS NULL AND NEW.is_spam = 0
BEGIN
    INSERT INTO contact_daily_counts (day, contacts) VALUES (substr(NEW.created_at, 1, 10), 1)
    ON CONFLICT (day) DO UPDATE SET contacts = contacts + 1;
END;

CREATE TRIGGER contacts_daily_delete AFTER DELETE ON contacts
WHEN OLD.deleted_at IS NULL AND OLD.is_spam = 0
BEGIN
    UPDATE contact_daily_counts SET contacts = contacts - 1 WHERE day = substr(OLD.created_at, 1, 10);
END;

CREATE TRIGGER contacts_daily_update AFTER UPDATE OF deleted_at, is_spam, created_at ON contacts
WHEN (OLD.deleted_at IS NULL AND OLD.is_spam = 0) <> (NEW.deleted_at IS NULL AND NEW.is_spam = 0)
  OR OLD.created_at IS NOT NEW.created_at
BEGIN
    UPDATE contact_daily_counts SET contacts = contacts - 1
    WHERE day = substr(OLD.created_at, 1, 10) AND OLD.deleted_at IS NULL AND OLD.is_spam = 0;
    INSERT INTO contact_daily_counts (day, contacts)
    SELECT substr(NEW.created_at, 1, 10), 1 WHERE NEW.deleted_at IS NULL AND NEW.is_spam = 0
    ON CONFLICT (day) DO UPDATE SET contacts = contacts + 1;
END;

-- Expired invitations are counted on every list page: a range over the expiry alone.
DROP INDEX contacts_invitation_expiry;
CREATE INDEX contacts_invitation_expiry ON contacts (help_center_status, invitation_expires_at)
WHERE deleted_at IS NULL AND is_spam = 0;

-- "Added in the last 30 days" at a million contacts: counting tens of thousands of index
-- entries on every list page is too slow, so listed contacts are also counted per creation day.
CREATE TABLE contact_daily_counts (
    day TEXT PRIMARY KEY,
    contacts BIGINT NOT NULL
);

INSERT INTO contact_daily_counts (day, contacts)
SELECT to_char(created_at, 'YYYY-MM-DD'), count(*) FROM contacts
WHERE deleted_at IS NULL AND NOT is_spam
GROUP BY 1;

CREATE FUNCTION contact_daily_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO contact_daily_counts (day, contacts)
    SELECT to_char(created_at, 'YYYY-MM-DD'), count(*) FROM added
    WHERE deleted_at IS NULL AND NOT is_spam GROUP BY 1
    ON CONFLICT (day) DO UPDATE SET contacts = contact_daily_counts.contacts + EXCLUDED.contacts;
    RETURN NULL;
END $$;

CREATE FUNCTION contact_daily_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contact_daily_counts AS counts SET contacts = counts.contacts - removed_days.n
    FROM (
        SELECT to_char(created_at, 'YYYY-MM-DD') AS day, count(*) AS n FROM removed
        WHERE deleted_at IS NULL AND NOT is_spam GROUP BY 1
    ) AS removed_days
    WHERE counts.day = removed_days.day;
    RETURN NULL;
END $$;

CREATE TRIGGER contacts_daily_insert AFTER INSERT ON contacts
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION contact_daily_counts_add();
CREATE TRIGGER contacts_daily_delete AFTER DELETE ON contacts
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION contact_daily_counts_remove();
CREATE TRIGGER contacts_daily_update_remove AFTER UPDATE ON contacts
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION contact_daily_counts_remove();
CREATE TRIGGER contacts_daily_update_add AFTER UPDATE ON contacts
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION contact_daily_counts_add();

DROP INDEX contacts_invitation_expiry;
CREATE INDEX contacts_invitation_expiry ON contacts (help_center_status, invitation_expires_at)
WHERE deleted_at IS NULL AND is_spam = false;

DROP INDEX contacts_listed_name;
CREATE INDEX contacts_listed_name ON contacts (name, id) WHERE deleted_at IS NULL AND is_spam = false;

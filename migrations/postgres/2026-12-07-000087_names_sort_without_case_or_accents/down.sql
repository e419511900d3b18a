DROP INDEX accounts_name;
ALTER TABLE accounts DROP COLUMN name_sort;
CREATE INDEX accounts_name ON accounts (name);
DROP INDEX contacts_listed_name;
DROP INDEX contacts_listed_status;
DROP INDEX contacts_spam;
DROP INDEX contacts_duplicates;
DROP INDEX contacts_without_email;
DROP INDEX contacts_import;
ALTER TABLE contacts DROP COLUMN name_sort;
CREATE INDEX contacts_listed_name ON contacts (name, id, lower(name), lower(phone))
    INCLUDE (email, phone, name_folded, account_id)
    WHERE deleted_at IS NULL AND is_spam = false;
CREATE INDEX contacts_listed_status ON contacts (help_center_status, name, id) WHERE deleted_at IS NULL AND is_spam = false;
CREATE INDEX contacts_spam ON contacts (name, id) WHERE deleted_at IS NULL AND is_spam = true;
CREATE INDEX contacts_duplicates ON contacts (name, id) WHERE possible_duplicate = true AND deleted_at IS NULL;
CREATE INDEX contacts_without_email ON contacts (name, id) WHERE email IS NULL AND deleted_at IS NULL AND is_spam = false;
CREATE INDEX contacts_import ON contacts (import_id, name, id) WHERE import_id IS NOT NULL;

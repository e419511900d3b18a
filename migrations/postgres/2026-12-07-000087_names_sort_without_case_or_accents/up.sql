-- Names sort as people expect: "Émilie" with the E's, "de Vries" with the D's, not after Z.
-- The sort key is the name as the search compares it (folded where the app stored a folded
-- form, else lowercased), and every index that sorted by the name sorts by it.
ALTER TABLE contacts ADD COLUMN name_sort TEXT NOT NULL
    GENERATED ALWAYS AS (coalesce(name_folded, lower(name))) STORED;

DROP INDEX contacts_listed_name;
DROP INDEX contacts_listed_status;
DROP INDEX contacts_spam;
DROP INDEX contacts_duplicates;
DROP INDEX contacts_without_email;
DROP INDEX contacts_import;
-- Still holding every searched field for a broad search's walk (migrations 000051, 000086).
CREATE INDEX contacts_listed_name ON contacts (name_sort, id, lower(name), lower(phone))
    INCLUDE (email, phone, name_folded, account_id)
    WHERE deleted_at IS NULL AND is_spam = false;
CREATE INDEX contacts_listed_status ON contacts (help_center_status, name_sort, id) WHERE deleted_at IS NULL AND is_spam = false;
CREATE INDEX contacts_spam ON contacts (name_sort, id) WHERE deleted_at IS NULL AND is_spam = true;
CREATE INDEX contacts_duplicates ON contacts (name_sort, id) WHERE possible_duplicate = true AND deleted_at IS NULL;
CREATE INDEX contacts_without_email ON contacts (name_sort, id) WHERE email IS NULL AND deleted_at IS NULL AND is_spam = false;
CREATE INDEX contacts_import ON contacts (import_id, name_sort, id) WHERE import_id IS NOT NULL;

-- Accounts too, in their list and the account field's suggestions.
ALTER TABLE accounts ADD COLUMN name_sort TEXT NOT NULL
    GENERATED ALWAYS AS (coalesce(name_folded, lower(name))) STORED;
DROP INDEX accounts_name;
CREATE INDEX accounts_name ON accounts (name_sort, id);

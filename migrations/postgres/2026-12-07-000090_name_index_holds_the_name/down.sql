DROP INDEX contacts_listed_name;
CREATE INDEX contacts_listed_name ON contacts (name_sort, id, lower(name), lower(phone))
    INCLUDE (email, phone, name_folded, account_id)
    WHERE deleted_at IS NULL AND is_spam = false;

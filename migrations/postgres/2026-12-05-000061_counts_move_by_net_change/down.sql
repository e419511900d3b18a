DROP TRIGGER contacts_counts_update ON contacts;
DROP FUNCTION contact_counts_move();

CREATE TRIGGER contacts_count_update_remove AFTER UPDATE ON contacts
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION contact_view_counts_remove();
CREATE TRIGGER contacts_count_update_add AFTER UPDATE ON contacts
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION contact_view_counts_add();
CREATE TRIGGER contacts_daily_update_remove AFTER UPDATE ON contacts
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION contact_daily_counts_remove();
CREATE TRIGGER contacts_daily_update_add AFTER UPDATE ON contacts
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION contact_daily_counts_add();

DO $$
DECLARE
    table_name text;
BEGIN
    FOR table_name IN
        SELECT tablename FROM pg_tables
        WHERE schemaname = current_schema() AND tablename NOT LIKE '\_\_diesel%'
    LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', table_name || '_notify_change', table_name);
    END LOOP;
END;
$$;

DROP FUNCTION portico_notify_change();

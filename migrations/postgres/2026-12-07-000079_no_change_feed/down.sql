CREATE FUNCTION portico_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('portico_data_changed', '');
    RETURN NULL;
END;
$$;

DO $$
DECLARE
    table_name text;
BEGIN
    FOR table_name IN
        SELECT tablename FROM pg_tables
        WHERE schemaname = current_schema() AND tablename NOT LIKE '\_\_diesel%'
    LOOP
        EXECUTE format(
            'CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I '
            'FOR EACH STATEMENT EXECUTE FUNCTION portico_notify_change()',
            table_name || '_notify_change', table_name);
    END LOOP;
END;
$$;

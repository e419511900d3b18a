-- A custom view holds a list of conditions (JSON: field, operator, value, until; read by
-- `contacts::conditions`) matched all or any, instead of six fixed criteria. Each old
-- criterion becomes the condition that says the same. A view's account is now named by id
-- inside its conditions: deleting the account no longer widens the view to every account.
ALTER TABLE contact_views ADD COLUMN conditions TEXT NOT NULL DEFAULT '[]';
ALTER TABLE contact_views ADD COLUMN match_any BOOLEAN NOT NULL DEFAULT false;
UPDATE contact_views v SET conditions = (SELECT coalesce(json_agg(c), '[]'::json)::text FROM (
    SELECT json_build_object('field', 'account', 'operator', 'is', 'value', v.account_id::text) AS c
    WHERE v.account_id IS NOT NULL
    UNION ALL SELECT json_build_object('field', 'status', 'operator', 'is', 'value', v.help_center_status)
    WHERE v.help_center_status IS NOT NULL
    UNION ALL SELECT json_build_object('field', 'email_domain', 'operator', 'is', 'value', v.email_domain)
    WHERE v.email_domain IS NOT NULL
    -- created_until was the midnight after the last day.
    UNION ALL SELECT json_build_object('field', 'created', 'operator', 'between',
        'value', to_char(v.created_from, 'YYYY-MM-DD'),
        'until', to_char(v.created_until - interval '1 day', 'YYYY-MM-DD'))
    WHERE v.created_from IS NOT NULL AND v.created_until IS NOT NULL
    UNION ALL SELECT json_build_object('field', 'created', 'operator', 'after',
        'value', to_char(v.created_from - interval '1 day', 'YYYY-MM-DD'))
    WHERE v.created_from IS NOT NULL AND v.created_until IS NULL
    UNION ALL SELECT json_build_object('field', 'created', 'operator', 'before',
        'value', to_char(v.created_until, 'YYYY-MM-DD'))
    WHERE v.created_until IS NOT NULL AND v.created_from IS NULL
    UNION ALL SELECT json_build_object('field', 'open_tickets',
        'operator', CASE WHEN v.has_open_tickets THEN 'greater_than' ELSE 'equals' END, 'value', '0')
    WHERE v.has_open_tickets IS NOT NULL
    UNION ALL SELECT json_build_object('field', 'name', 'operator', 'contains', 'value', v.name_contains)
    WHERE v.name_contains IS NOT NULL
) AS old_criteria);
ALTER TABLE contact_views
    DROP COLUMN account_id,
    DROP COLUMN help_center_status,
    DROP COLUMN email_domain,
    DROP COLUMN created_from,
    DROP COLUMN created_until,
    DROP COLUMN has_open_tickets,
    DROP COLUMN name_contains;

-- A custom view holds a list of conditions (JSON: field, operator, value, until; read by
-- `contacts::conditions`) matched all or any, instead of six fixed criteria. Each old
-- criterion becomes the condition that says the same. A view's account is now named by id
-- inside its conditions: deleting the account no longer widens the view to every account.
CREATE TABLE contact_views_new (
    id INTEGER PRIMARY KEY,
    agent_id INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    shared BOOLEAN NOT NULL DEFAULT 0,
    conditions TEXT NOT NULL DEFAULT '[]',
    match_any BOOLEAN NOT NULL DEFAULT 0,
    sort TEXT NOT NULL DEFAULT 'name',
    descending BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO contact_views_new
    (id, agent_id, name, shared, conditions, match_any, sort, descending, created_at, updated_at)
SELECT v.id, v.agent_id, v.name, v.shared, (SELECT json_group_array(json(c)) FROM (
    SELECT json_object('field', 'account', 'operator', 'is', 'value', CAST(v.account_id AS TEXT)) AS c
    WHERE v.account_id IS NOT NULL
    UNION ALL SELECT json_object('field', 'status', 'operator', 'is', 'value', v.help_center_status)
    WHERE v.help_center_status IS NOT NULL
    UNION ALL SELECT json_object('field', 'email_domain', 'operator', 'is', 'value', v.email_domain)
    WHERE v.email_domain IS NOT NULL
    -- created_until was the midnight after the last day.
    UNION ALL SELECT json_object('field', 'created', 'operator', 'between',
        'value', substr(v.created_from, 1, 10), 'until', date(v.created_until, '-1 day'))
    WHERE v.created_from IS NOT NULL AND v.created_until IS NOT NULL
    UNION ALL SELECT json_object('field', 'created', 'operator', 'after',
        'value', date(v.created_from, '-1 day'))
    WHERE v.created_from IS NOT NULL AND v.created_until IS NULL
    UNION ALL SELECT json_object('field', 'created', 'operator', 'before',
        'value', substr(v.created_until, 1, 10))
    WHERE v.created_until IS NOT NULL AND v.created_from IS NULL
    UNION ALL SELECT json_object('field', 'open_tickets',
        'operator', CASE WHEN v.has_open_tickets THEN 'greater_than' ELSE 'equals' END, 'value', '0')
    WHERE v.has_open_tickets IS NOT NULL
    UNION ALL SELECT json_object('field', 'name', 'operator', 'contains', 'value', v.name_contains)
    WHERE v.name_contains IS NOT NULL
)), 0, v.sort, v.descending, v.created_at, v.updated_at
FROM contact_views v;
DROP TABLE contact_views;
ALTER TABLE contact_views_new RENAME TO contact_views;
CREATE INDEX contact_views_agent ON contact_views (agent_id);

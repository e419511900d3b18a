-- The audit log runs newest first, whole or filtered by action or agent, a page at a time
-- (keyset on occurred_at, id). The daily invitation quota counts one agent's invitations since
-- midnight on every invite.
CREATE INDEX audit_events_recent ON audit_events (occurred_at, id);
CREATE INDEX audit_events_action ON audit_events (action, occurred_at, id);
CREATE INDEX audit_events_agent ON audit_events (actor_agent_id, occurred_at, id) WHERE actor_agent_id IS NOT NULL;
CREATE INDEX invitations_agent_day ON invitations (created_by_agent_id, created_at) WHERE created_by_agent_id IS NOT NULL;

DROP INDEX invitations_agent_day;
DROP INDEX audit_events_agent;
DROP INDEX audit_events_action;
DROP INDEX audit_events_recent;

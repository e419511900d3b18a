DROP INDEX tickets_status_updated;
DROP INDEX tickets_updated;

DROP TABLE bulk_job_rows;
DROP INDEX bulk_invite_jobs_unannounced;
DROP INDEX bulk_invite_jobs_running;
ALTER TABLE bulk_invite_jobs DROP COLUMN announced_at;
ALTER TABLE bulk_invite_jobs DROP COLUMN unknown;
ALTER TABLE bulk_invite_jobs DROP COLUMN account_id;
ALTER TABLE bulk_invite_jobs DROP COLUMN action;

DROP TABLE invite_batch_rows;
DROP TABLE delivery_attempts;
DROP TABLE invitations;
DROP TABLE invite_batches;
DROP TABLE bulk_invite_jobs;
DROP TABLE settings;

DROP INDEX sign_in_failures_client;
ALTER TABLE sign_in_failures DROP COLUMN client;

-- Which client each failed sign-in came from (auth::client_address; '' when unknown), so the
-- limit on guessing can be counted per address and client: someone guessing an agent's
-- password from one network no longer locks the agent out everywhere. Failures recorded
-- before this column existed count as from an unknown client.
ALTER TABLE sign_in_failures ADD COLUMN client TEXT NOT NULL DEFAULT '';
-- Counting one client's recent failures across every address it tried.
CREATE INDEX sign_in_failures_client ON sign_in_failures (audience, client, failed_at);

-- The Help Center's requests that send an email to an address someone typed (a new invitation
-- link, a password reset, a registration), kept while they count towards the limits on them:
-- per address, so an inbox cannot be flooded, and per client. In the database rather than in
-- each process, so the limits hold however many instances share it. `address` is lowercased;
-- `client` is the requester's IP address as `auth::client_address` resolves it.
CREATE TABLE email_requests (
    id INTEGER PRIMARY KEY,
    address TEXT NOT NULL,
    client TEXT NOT NULL,
    requested_at TIMESTAMP NOT NULL
);
CREATE INDEX email_requests_address ON email_requests (address, requested_at);
CREATE INDEX email_requests_client ON email_requests (client, requested_at);
-- Clearing out requests that no longer count.
CREATE INDEX email_requests_age ON email_requests (requested_at);

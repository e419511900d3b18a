-- Failed sign-ins, kept while they count towards the limit on guessing one account's password.
-- In the database rather than in each process, so the limit holds however many instances
-- share it. `audience` is who signs in (an agent or a Help Center customer); `email` is the
-- address as typed, trimmed and lowercased, whether or not it has an account, so the limit
-- tells nothing about which addresses do.
CREATE TABLE sign_in_failures (
    id INTEGER PRIMARY KEY,
    audience TEXT NOT NULL CHECK (audience IN ('agent', 'customer')),
    email TEXT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);
-- Counting one address's recent failures.
CREATE INDEX sign_in_failures_email ON sign_in_failures (audience, email, failed_at);
-- Clearing out failures that no longer count.
CREATE INDEX sign_in_failures_age ON sign_in_failures (failed_at);

-- A CSV file between its preview and the agent's confirmation, so confirming needs no re-upload.
-- AUTOINCREMENT: an id is never reused, so a stale preview cannot confirm a later file.
CREATE TABLE import_uploads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    contents TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX import_uploads_created ON import_uploads (created_at);

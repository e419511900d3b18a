-- A CSV file between its preview and the agent's confirmation, so confirming needs no re-upload.
CREATE TABLE import_uploads (
    id BIGSERIAL PRIMARY KEY,
    agent_id BIGINT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    contents TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX import_uploads_created ON import_uploads (created_at);

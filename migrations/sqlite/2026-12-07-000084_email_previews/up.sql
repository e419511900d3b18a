-- The invitation email an admin previews from the template editor, unsaved, kept for the
-- frame that shows it as it will arrive (its own page, so its inline styles apply). Rows live
-- an hour; each new preview clears the old ones.
CREATE TABLE email_previews (
    id INTEGER PRIMARY KEY,
    preview_key TEXT NOT NULL UNIQUE,
    agent_id INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    html TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX email_previews_created ON email_previews (created_at);

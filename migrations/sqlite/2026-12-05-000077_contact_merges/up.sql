-- Which contact each merged-away contact went into (contacts::merge), so its page can say so
-- and link there, and it is not restored as an empty copy of the one that took its tickets,
-- invitations and Help Center account. A table of its own rather than a column, so the
-- million-row contacts table and every query reading it stay as they are.
CREATE TABLE contact_merges (
    contact_id INTEGER PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
    merged_into_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    merged_at TIMESTAMP NOT NULL
);
-- Pointing earlier merges at the newest contact when the one they went into is merged too,
-- and the foreign key's check when a contact is removed for good.
CREATE INDEX contact_merges_into ON contact_merges (merged_into_id);

-- Whole-view actions run as bulk jobs on every instance's job runner (src/jobs): a job says
-- which action it applies, counts the rows whose delivery is unknown after an interrupted
-- chunk, and remembers when its agent was told it finished. A move names its account without
-- a foreign key: a move to an account deleted meanwhile stops, rather than moving to none.
ALTER TABLE bulk_invite_jobs ADD COLUMN action TEXT NOT NULL DEFAULT 'invite'
    CHECK (action IN ('invite', 'resend', 'spam', 'not_spam', 'delete', 'restore', 'move',
        'deactivate', 'reactivate'));
ALTER TABLE bulk_invite_jobs ADD COLUMN account_id INTEGER;
ALTER TABLE bulk_invite_jobs ADD COLUMN unknown INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bulk_invite_jobs ADD COLUMN announced_at TIMESTAMP;
-- Jobs from before moved only while their page was open: one left running may have been
-- forgotten for days, so it waits, paused, for its agent to resume it rather than mailing
-- now. Jobs that already ended are not announced as news.
UPDATE bulk_invite_jobs SET state = 'paused' WHERE state = 'running';
UPDATE bulk_invite_jobs SET announced_at = finished_at WHERE finished_at IS NOT NULL;
-- The runners' look for work, and each agent's finished jobs not yet announced.
CREATE INDEX bulk_invite_jobs_running ON bulk_invite_jobs (state, updated_at);
CREATE INDEX bulk_invite_jobs_unannounced ON bulk_invite_jobs (agent_id)
    WHERE announced_at IS NULL AND finished_at IS NOT NULL;

-- The contacts a job did not act on, with why: skipped, failed, or whose email may or may not
-- have left when the chunk sending it was interrupted. Contacts invited or changed are not
-- listed, so a million-contact job writes a row only where an agent has something to read.
CREATE TABLE bulk_job_rows (
    job_id INTEGER NOT NULL REFERENCES bulk_invite_jobs (id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    outcome TEXT NOT NULL CHECK (outcome IN ('skipped', 'failed', 'unknown')),
    reason TEXT NOT NULL,
    PRIMARY KEY (job_id, contact_id)
);
CREATE INDEX bulk_job_rows_contact ON bulk_job_rows (contact_id);

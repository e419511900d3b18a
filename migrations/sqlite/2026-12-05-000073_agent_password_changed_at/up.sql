-- When an agent last changed their password: their sessions signed in before then end
-- (auth::guard), as the Help Center's do (2026-12-05-000072).
ALTER TABLE agents ADD COLUMN password_changed_at TIMESTAMP;

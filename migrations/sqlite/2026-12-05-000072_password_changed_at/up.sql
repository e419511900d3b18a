-- When a Help Center account's password was last set: sessions signed in before then end
-- (auth::guard), so a changed or reset password locks out whoever knew the old one.
ALTER TABLE portal_accounts ADD COLUMN password_changed_at TIMESTAMP;

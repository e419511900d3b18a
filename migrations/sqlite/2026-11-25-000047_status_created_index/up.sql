-- Custom views that pair a Help Center status with a creation range ("Not invited, added this
-- quarter") are counted in the sidebar on every list page. Without this index the count walks
-- every contact in the date range to check its status, which after a bulk invite of that
-- range means walking it all to find none.
CREATE INDEX contacts_listed_status_created ON contacts (help_center_status, created_at) WHERE deleted_at IS NULL AND is_spam = 0;

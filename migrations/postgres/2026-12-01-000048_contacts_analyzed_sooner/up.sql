-- Statistics made stale by a bulk invite mislead the planner: expecting next to no invited
-- contacts, it counted the expired invitations on every list page by reading each invited
-- contact through the status + created index (20 ms a page with 20,000 of 200,000 invited).
-- By default autovacuum re-analyzes only once a tenth of the table has changed (100,000 rows
-- at 1M contacts), so a smaller bulk invite left the list slow indefinitely.
ALTER TABLE contacts SET (autovacuum_analyze_scale_factor = 0.01, autovacuum_analyze_threshold = 1000);

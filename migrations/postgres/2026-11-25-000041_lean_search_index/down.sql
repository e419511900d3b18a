-- SQLite's search index changed shape in this step; PostgreSQL's pg_trgm index needs nothing.
SELECT 1;

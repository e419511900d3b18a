ALTER TABLE agents DROP COLUMN time_zone;

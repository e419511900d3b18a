-- Each agent's time zone (an IANA name such as Asia/Tokyo): pages show times in it. Unset
-- until the agent's first sign-in with JavaScript (the browser's zone) or their choice on
-- the profile page; until then times read as UTC, named so.
ALTER TABLE agents ADD COLUMN time_zone TEXT;

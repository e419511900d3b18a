-- The Help Center's logo, uploaded in Settings: kept in the database so every instance serves
-- the same one. At most one row; `version` (a digest of the image) names it in URLs, so a new
-- logo is fetched afresh while an unchanged one stays cached.
CREATE TABLE help_center_logo (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    content_type TEXT NOT NULL,
    image BYTEA NOT NULL,
    version TEXT NOT NULL,
    uploaded_at TIMESTAMP NOT NULL
);

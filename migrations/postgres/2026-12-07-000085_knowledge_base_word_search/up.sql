-- Knowledge-base search by words, ranked, with snippets: English full-text search over titles
-- (weighted above bodies), stemmed ("resetting" finds "reset").
ALTER TABLE kb_articles ADD COLUMN search_words tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'B')
) STORED;
CREATE INDEX kb_articles_search_words ON kb_articles USING gin (search_words);

DROP INDEX kb_articles_search_words;
ALTER TABLE kb_articles DROP COLUMN search_words;

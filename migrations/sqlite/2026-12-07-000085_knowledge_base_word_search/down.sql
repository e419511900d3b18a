DROP TRIGGER kb_articles_search_update;
DROP TRIGGER kb_articles_search_delete;
DROP TRIGGER kb_articles_search_insert;
DROP TABLE kb_articles_search;

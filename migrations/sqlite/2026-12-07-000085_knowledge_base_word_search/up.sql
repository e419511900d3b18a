-- Knowledge-base search by words, ranked, with snippets: an FTS5 index of titles and bodies
-- whose tokenizer folds case and accents and stems English words ("resetting" finds "reset").
CREATE VIRTUAL TABLE kb_articles_search USING fts5 (
    title, body,
    content = 'kb_articles', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO kb_articles_search (kb_articles_search) VALUES ('rebuild');
CREATE TRIGGER kb_articles_search_insert AFTER INSERT ON kb_articles BEGIN
    INSERT INTO kb_articles_search (rowid, title, body) VALUES (NEW.id, NEW.title, NEW.body);
END;
CREATE TRIGGER kb_articles_search_delete AFTER DELETE ON kb_articles BEGIN
    INSERT INTO kb_articles_search (kb_articles_search, rowid, title, body) VALUES ('delete', OLD.id, OLD.title, OLD.body);
END;
CREATE TRIGGER kb_articles_search_update AFTER UPDATE OF title, body ON kb_articles BEGIN
    INSERT INTO kb_articles_search (kb_articles_search, rowid, title, body) VALUES ('delete', OLD.id, OLD.title, OLD.body);
    INSERT INTO kb_articles_search (rowid, title, body) VALUES (NEW.id, NEW.title, NEW.body);
END;

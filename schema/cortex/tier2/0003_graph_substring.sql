-- MCP memory compatibility (issue 7): a trigram FTS5 index over entity name, kind and body
-- (observations) so the reference memory server's case-insensitive SUBSTRING search_nodes stays
-- fast on large graphs. A quoted trigram phrase query ("abc...") is a substring match for
-- queries of 3 or more characters. External content on graph_entities, kept in sync with the
-- documented 'delete' command exactly like graph_search (an in-place update would leave stale
-- trigrams). Built-in SQL only: the file stays usable from the sqlite3 shell.
CREATE VIRTUAL TABLE IF NOT EXISTS graph_substring USING fts5(
    name, kind, body, content='graph_entities', content_rowid='id', tokenize='trigram case_sensitive 0'
);
INSERT INTO graph_substring (graph_substring) VALUES ('rebuild');
CREATE TRIGGER IF NOT EXISTS graph_entities_substring_insert AFTER INSERT ON graph_entities BEGIN
    INSERT INTO graph_substring (rowid, name, kind, body) VALUES (new.id, new.name, new.kind, new.body);
END;
CREATE TRIGGER IF NOT EXISTS graph_entities_substring_delete AFTER DELETE ON graph_entities BEGIN
    INSERT INTO graph_substring (graph_substring, rowid, name, kind, body) VALUES ('delete', old.id, old.name, old.kind, old.body);
END;
CREATE TRIGGER IF NOT EXISTS graph_entities_substring_update AFTER UPDATE OF name, kind, body ON graph_entities
WHEN old.name IS NOT new.name OR old.kind IS NOT new.kind OR old.body IS NOT new.body BEGIN
    INSERT INTO graph_substring (graph_substring, rowid, name, kind, body) VALUES ('delete', old.id, old.name, old.kind, old.body);
    INSERT INTO graph_substring (rowid, name, kind, body) VALUES (new.id, new.name, new.kind, new.body);
END;
-- down
DROP TRIGGER IF EXISTS graph_entities_substring_update;
DROP TRIGGER IF EXISTS graph_entities_substring_delete;
DROP TRIGGER IF EXISTS graph_entities_substring_insert;
DROP TABLE IF EXISTS graph_substring;

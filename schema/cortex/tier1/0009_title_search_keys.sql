-- Title search keyed by an integer: deleting or retitling a conversation found its FTS row by
-- the UNINDEXED conversation_id column, a full scan of conversation_titles_fts per conversation.
-- conversations has a TEXT primary key (its implicit rowid may change on VACUUM), so each titled
-- conversation gets a stable integer in conversation_title_keys, used as the FTS rowid; FTS5
-- deletes by rowid through its index.
CREATE TABLE IF NOT EXISTS conversation_title_keys (
    id INTEGER PRIMARY KEY,
    conversation_id TEXT NOT NULL UNIQUE
);

DROP TRIGGER IF EXISTS conversations_after_insert_title;
DROP TRIGGER IF EXISTS conversations_after_update_title;
DROP TRIGGER IF EXISTS conversations_after_delete_title;

CREATE TRIGGER conversations_after_insert_title AFTER INSERT ON conversations
WHEN new.title IS NOT NULL BEGIN
    INSERT OR IGNORE INTO conversation_title_keys (conversation_id) VALUES (new.conversation_id);
    INSERT INTO conversation_titles_fts (rowid, title, conversation_id)
        SELECT id, new.title, new.conversation_id FROM conversation_title_keys WHERE conversation_id = new.conversation_id;
END;
CREATE TRIGGER conversations_after_update_title AFTER UPDATE OF title, conversation_id ON conversations BEGIN
    DELETE FROM conversation_titles_fts
     WHERE rowid = (SELECT id FROM conversation_title_keys WHERE conversation_id = old.conversation_id);
    DELETE FROM conversation_title_keys WHERE conversation_id = old.conversation_id;
    INSERT OR IGNORE INTO conversation_title_keys (conversation_id) SELECT new.conversation_id WHERE new.title IS NOT NULL;
    INSERT INTO conversation_titles_fts (rowid, title, conversation_id)
        SELECT id, new.title, new.conversation_id FROM conversation_title_keys
         WHERE conversation_id = new.conversation_id AND new.title IS NOT NULL;
END;
CREATE TRIGGER conversations_after_delete_title AFTER DELETE ON conversations BEGIN
    DELETE FROM conversation_titles_fts
     WHERE rowid = (SELECT id FROM conversation_title_keys WHERE conversation_id = old.conversation_id);
    DELETE FROM conversation_title_keys WHERE conversation_id = old.conversation_id;
END;

-- Existing titles: key them and rebuild the index under the new rowids.
INSERT OR IGNORE INTO conversation_title_keys (conversation_id)
    SELECT conversation_id FROM conversations WHERE title IS NOT NULL ORDER BY rowid;
DELETE FROM conversation_titles_fts;
INSERT INTO conversation_titles_fts (rowid, title, conversation_id)
    SELECT k.id, c.title, c.conversation_id FROM conversation_title_keys k JOIN conversations c USING (conversation_id);
INSERT INTO conversation_titles_fts (conversation_titles_fts) VALUES ('optimize');
-- down
DROP TRIGGER IF EXISTS conversations_after_delete_title;
DROP TRIGGER IF EXISTS conversations_after_update_title;
DROP TRIGGER IF EXISTS conversations_after_insert_title;
CREATE TRIGGER conversations_after_insert_title AFTER INSERT ON conversations
WHEN new.title IS NOT NULL BEGIN
    INSERT INTO conversation_titles_fts(title, conversation_id) VALUES (new.title, new.conversation_id);
END;
CREATE TRIGGER conversations_after_update_title AFTER UPDATE OF title, conversation_id ON conversations BEGIN
    DELETE FROM conversation_titles_fts WHERE conversation_id = old.conversation_id;
    INSERT INTO conversation_titles_fts(title, conversation_id) SELECT new.title, new.conversation_id WHERE new.title IS NOT NULL;
END;
CREATE TRIGGER conversations_after_delete_title AFTER DELETE ON conversations BEGIN
    DELETE FROM conversation_titles_fts WHERE conversation_id = old.conversation_id;
END;
DROP TABLE IF EXISTS conversation_title_keys;

-- Conversation metadata, store-maintained message counts, and full-text search.
ALTER TABLE conversations ADD COLUMN metadata TEXT CHECK (metadata IS NULL OR json_valid(metadata));

-- Message content: an external-content FTS5 index over messages (rowid = messages.id, an
-- INTEGER PRIMARY KEY, so it is stable across VACUUM). The triggers pass the old values to the
-- 'delete' command, so edits and deletes leave no stale tokens.
CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5(
    content, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
-- Titles: conversations have a TEXT primary key (their rowid may change on VACUUM), so titles
-- keep their own small FTS5 table keyed by conversation_id.
CREATE VIRTUAL TABLE IF NOT EXISTS conversation_titles_fts USING fts5(
    title, conversation_id UNINDEXED, tokenize='unicode61 remove_diacritics 2'
);

-- message_count and last_updated follow the messages table, in the writing statement's own
-- transaction, whoever writes (cortexdb, the sqlite3 shell, an archive restore).
CREATE TRIGGER IF NOT EXISTS messages_after_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
    UPDATE conversations SET message_count = message_count + 1,
                             last_updated = max(last_updated, new.created_at)
     WHERE conversation_id = new.conversation_id;
END;
CREATE TRIGGER IF NOT EXISTS messages_after_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
    UPDATE conversations SET message_count = max(message_count - 1, 0) WHERE conversation_id = old.conversation_id;
END;
CREATE TRIGGER IF NOT EXISTS messages_after_update_content AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
    INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER IF NOT EXISTS messages_after_update_conversation AFTER UPDATE OF conversation_id ON messages
WHEN old.conversation_id IS NOT new.conversation_id BEGIN
    UPDATE conversations SET message_count = max(message_count - 1, 0) WHERE conversation_id = old.conversation_id;
    UPDATE conversations SET message_count = message_count + 1 WHERE conversation_id = new.conversation_id;
END;

CREATE TRIGGER IF NOT EXISTS conversations_after_insert_title AFTER INSERT ON conversations
WHEN new.title IS NOT NULL BEGIN
    INSERT INTO conversation_titles_fts(title, conversation_id) VALUES (new.title, new.conversation_id);
END;
CREATE TRIGGER IF NOT EXISTS conversations_after_update_title AFTER UPDATE OF title, conversation_id ON conversations BEGIN
    DELETE FROM conversation_titles_fts WHERE conversation_id = old.conversation_id;
    INSERT INTO conversation_titles_fts(title, conversation_id) SELECT new.title, new.conversation_id WHERE new.title IS NOT NULL;
END;
CREATE TRIGGER IF NOT EXISTS conversations_after_delete_title AFTER DELETE ON conversations BEGIN
    DELETE FROM conversation_titles_fts WHERE conversation_id = old.conversation_id;
END;

-- Existing rows: index them and make the counts true.
INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');
INSERT INTO conversation_titles_fts(title, conversation_id)
    SELECT title, conversation_id FROM conversations WHERE title IS NOT NULL;
UPDATE conversations SET message_count = (SELECT count(*) FROM messages m WHERE m.conversation_id = conversations.conversation_id);
-- down
DROP TRIGGER IF EXISTS conversations_after_delete_title;
DROP TRIGGER IF EXISTS conversations_after_update_title;
DROP TRIGGER IF EXISTS conversations_after_insert_title;
DROP TRIGGER IF EXISTS messages_after_update_conversation;
DROP TRIGGER IF EXISTS messages_after_update_content;
DROP TRIGGER IF EXISTS messages_after_delete;
DROP TRIGGER IF EXISTS messages_after_insert;
DROP TABLE IF EXISTS conversation_titles_fts;
DROP TABLE IF EXISTS messages_fts;
ALTER TABLE conversations DROP COLUMN metadata;

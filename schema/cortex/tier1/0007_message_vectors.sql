-- Semantic search over messages (issue 16), the same shape as tier 2's graph_embeddings:
-- plain float32 BLOB rows, a declared space with a generation, the KNN index derived in memory.
-- conversation_id lets the archive move a message's vector with its conversation.
CREATE TABLE IF NOT EXISTS message_vector_config (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    dim INTEGER NOT NULL CHECK (dim BETWEEN 1 AND 8192),
    metric TEXT NOT NULL CHECK (metric IN ('cosine', 'l2')),
    generation INTEGER NOT NULL DEFAULT 0,
    deletions INTEGER NOT NULL DEFAULT 0,         -- vectors deleted so far: the index rebuilds
    enabled_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS message_embeddings (
    message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL,
    embedding BLOB NOT NULL CHECK (typeof(embedding) = 'blob' AND length(embedding) > 0 AND length(embedding) % 4 = 0),
    generation INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS message_embeddings_generation ON message_embeddings(generation);
CREATE INDEX IF NOT EXISTS message_embeddings_conversation ON message_embeddings(conversation_id);
-- cortexdb writes each row with the generation it moves to; a row arriving otherwise (another
-- writer, an archive restore) or changed in place moves the generation itself.
CREATE TRIGGER IF NOT EXISTS message_embeddings_after_insert AFTER INSERT ON message_embeddings
WHEN new.generation < (SELECT generation FROM message_vector_config) BEGIN
    UPDATE message_vector_config SET generation = generation + 1;
    UPDATE message_embeddings SET generation = (SELECT generation FROM message_vector_config) WHERE message_id = new.message_id;
END;
CREATE TRIGGER IF NOT EXISTS message_embeddings_after_update AFTER UPDATE OF embedding ON message_embeddings
WHEN new.generation <= old.generation BEGIN
    UPDATE message_vector_config SET generation = generation + 1;
    UPDATE message_embeddings SET generation = (SELECT generation FROM message_vector_config) WHERE message_id = new.message_id;
END;
CREATE TRIGGER IF NOT EXISTS message_embeddings_after_delete AFTER DELETE ON message_embeddings BEGIN
    UPDATE message_vector_config SET generation = generation + 1, deletions = deletions + 1;
END;
-- down
DROP TRIGGER IF EXISTS message_embeddings_after_update;
DROP TRIGGER IF EXISTS message_embeddings_after_insert;
DROP TRIGGER IF EXISTS message_embeddings_after_delete;
DROP TABLE IF EXISTS message_embeddings;
DROP TABLE IF EXISTS message_vector_config;

-- Embeddings follow their rows into the archive (issue 16): a graph node's vector keyed by the
-- node's uuid, a message's vector keyed by the message id (messages keep their AUTOINCREMENT id).
CREATE TABLE IF NOT EXISTS archived_graph_embeddings (
    entity_id INTEGER NOT NULL,
    embedding BLOB NOT NULL,
    generation INTEGER NOT NULL DEFAULT 0,
    entity_uuid TEXT PRIMARY KEY,
    archived_at TEXT NOT NULL,
    archive_op_id INTEGER
);
CREATE TABLE IF NOT EXISTS archived_message_embeddings (
    message_id INTEGER PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    embedding BLOB NOT NULL,
    generation INTEGER NOT NULL DEFAULT 0,
    archived_at TEXT NOT NULL,
    archive_op_id INTEGER
);
CREATE INDEX IF NOT EXISTS idx_archived_message_embeddings_conversation ON archived_message_embeddings(conversation_id);
-- down
DROP TABLE IF EXISTS archived_message_embeddings;
DROP TABLE IF EXISTS archived_graph_embeddings;

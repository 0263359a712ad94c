-- CortexStore's semantic search (LangGraph IndexConfig): one float32 BLOB row per embedded text
-- of an item (an index field path; a path reaching several texts gives "path.0", "path.1", ...),
-- the same shape as message_embeddings: a declared space with a generation, the KNN index derived
-- in memory by cortexdb.vectors. Vectors go with their item, however it is deleted (put None,
-- TTL sweep, the retention policy on langgraph_store).
CREATE TABLE IF NOT EXISTS langgraph_store_vector_config (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    dim INTEGER NOT NULL CHECK (dim BETWEEN 1 AND 8192),
    metric TEXT NOT NULL CHECK (metric IN ('cosine', 'l2')),
    generation INTEGER NOT NULL DEFAULT 0,
    deletions INTEGER NOT NULL DEFAULT 0,         -- vectors deleted so far: the index rebuilds
    enabled_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS langgraph_store_vectors (
    id INTEGER PRIMARY KEY,
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    field TEXT NOT NULL,
    embedding BLOB NOT NULL CHECK (typeof(embedding) = 'blob' AND length(embedding) > 0 AND length(embedding) % 4 = 0),
    generation INTEGER NOT NULL DEFAULT 0,
    UNIQUE (namespace, key, field)
);
CREATE INDEX IF NOT EXISTS langgraph_store_vectors_generation ON langgraph_store_vectors(generation);
CREATE TRIGGER IF NOT EXISTS langgraph_store_item_deleted AFTER DELETE ON langgraph_store BEGIN
    DELETE FROM langgraph_store_vectors WHERE namespace = OLD.namespace AND key = OLD.key;
END;
-- cortexdb writes each row with the generation it moves to; a row arriving otherwise (another
-- writer) or changed in place moves the generation itself.
CREATE TRIGGER IF NOT EXISTS langgraph_store_vectors_after_insert AFTER INSERT ON langgraph_store_vectors
WHEN new.generation < (SELECT generation FROM langgraph_store_vector_config) BEGIN
    UPDATE langgraph_store_vector_config SET generation = generation + 1;
    UPDATE langgraph_store_vectors SET generation = (SELECT generation FROM langgraph_store_vector_config) WHERE id = new.id;
END;
CREATE TRIGGER IF NOT EXISTS langgraph_store_vectors_after_update AFTER UPDATE OF embedding ON langgraph_store_vectors
WHEN new.generation <= old.generation BEGIN
    UPDATE langgraph_store_vector_config SET generation = generation + 1;
    UPDATE langgraph_store_vectors SET generation = (SELECT generation FROM langgraph_store_vector_config) WHERE id = new.id;
END;
CREATE TRIGGER IF NOT EXISTS langgraph_store_vectors_after_delete AFTER DELETE ON langgraph_store_vectors BEGIN
    UPDATE langgraph_store_vector_config SET generation = generation + 1, deletions = deletions + 1;
END;
-- down
DROP TRIGGER IF EXISTS langgraph_store_vectors_after_delete;
DROP TRIGGER IF EXISTS langgraph_store_vectors_after_update;
DROP TRIGGER IF EXISTS langgraph_store_vectors_after_insert;
DROP TRIGGER IF EXISTS langgraph_store_item_deleted;
DROP TABLE IF EXISTS langgraph_store_vectors;
DROP TABLE IF EXISTS langgraph_store_vector_config;

-- Semantic search (issue 16): opt-in embeddings of graph nodes (entities and patterns). Vectors
-- are ordinary rows (little-endian float32 BLOBs), so the file stays readable by any SQLite; the
-- sqlite-vec KNN index is derived from them in memory by each connection and never stored here.
-- graph_vector_config holds the one declared space (dimension and metric) and a generation that
-- moves on every change of graph_embeddings, so a connection knows when its index is stale.
CREATE TABLE IF NOT EXISTS graph_vector_config (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    dim INTEGER NOT NULL CHECK (dim BETWEEN 1 AND 8192),
    metric TEXT NOT NULL CHECK (metric IN ('cosine', 'l2')),
    generation INTEGER NOT NULL DEFAULT 0,
    deletions INTEGER NOT NULL DEFAULT 0,         -- vectors deleted so far: the index rebuilds
    enabled_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS graph_embeddings (
    entity_id INTEGER PRIMARY KEY REFERENCES graph_entities(id) ON DELETE CASCADE,
    embedding BLOB NOT NULL CHECK (typeof(embedding) = 'blob' AND length(embedding) > 0 AND length(embedding) % 4 = 0),
    generation INTEGER NOT NULL DEFAULT 0        -- graph_vector_config.generation when written
);
CREATE INDEX IF NOT EXISTS graph_embeddings_generation ON graph_embeddings(generation);
-- cortexdb writes each row with the generation it moves to; a row arriving otherwise (another
-- writer, an archive restore) or changed in place moves the generation itself.
CREATE TRIGGER IF NOT EXISTS graph_embeddings_after_insert AFTER INSERT ON graph_embeddings
WHEN new.generation < (SELECT generation FROM graph_vector_config) BEGIN
    UPDATE graph_vector_config SET generation = generation + 1;
    UPDATE graph_embeddings SET generation = (SELECT generation FROM graph_vector_config) WHERE entity_id = new.entity_id;
END;
CREATE TRIGGER IF NOT EXISTS graph_embeddings_after_update AFTER UPDATE OF embedding ON graph_embeddings
WHEN new.generation <= old.generation BEGIN
    UPDATE graph_vector_config SET generation = generation + 1;
    UPDATE graph_embeddings SET generation = (SELECT generation FROM graph_vector_config) WHERE entity_id = new.entity_id;
END;
CREATE TRIGGER IF NOT EXISTS graph_embeddings_after_delete AFTER DELETE ON graph_embeddings BEGIN
    UPDATE graph_vector_config SET generation = generation + 1, deletions = deletions + 1;
END;
-- down
DROP TRIGGER IF EXISTS graph_embeddings_after_update;
DROP TRIGGER IF EXISTS graph_embeddings_after_insert;
DROP TRIGGER IF EXISTS graph_embeddings_after_delete;
DROP TABLE IF EXISTS graph_embeddings;
DROP TABLE IF EXISTS graph_vector_config;

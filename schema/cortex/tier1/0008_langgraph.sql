-- LangGraph persistence (cortexdb.langgraph): CortexSaver's checkpoints and pending writes, and
-- CortexStore's long-term items. A LangGraph thread is a working-memory session: thread_id is the
-- session id. Checkpoint and write payloads are stored exactly as LangGraph's serializer (serde)
-- returns them: `type` names the encoding, the BLOB holds the bytes. Metadata is JSON text, so
-- list(filter=...) runs in SQL and plain sqlite3 can read it.
CREATE TABLE IF NOT EXISTS langgraph_threads (
    thread_id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL                     -- last checkpoint (to the minute); idle threads are archived by it
);

CREATE TABLE IF NOT EXISTS langgraph_checkpoints (
    thread_id TEXT NOT NULL,
    checkpoint_ns TEXT NOT NULL DEFAULT '',
    checkpoint_id TEXT NOT NULL,                 -- uuid6: sorts by creation time
    parent_checkpoint_id TEXT,
    run_id TEXT,                                 -- metadata's run_id, for delete_for_runs
    needs_parent INTEGER NOT NULL DEFAULT 0,     -- 1: delta channels replay ancestors' writes (retention keeps them)
    created_at TEXT NOT NULL,
    metadata TEXT NOT NULL CHECK (json_valid(metadata)),
    type TEXT,
    checkpoint BLOB,                             -- last: the small columns before it read without its overflow pages
    PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id)
);
CREATE INDEX IF NOT EXISTS idx_langgraph_checkpoints_run ON langgraph_checkpoints(run_id) WHERE run_id IS NOT NULL;
-- Only checkpoints that replay their ancestors: empty unless the graph uses delta channels, so
-- retention finds them without reading checkpoint rows.
CREATE INDEX IF NOT EXISTS idx_langgraph_checkpoints_chained ON langgraph_checkpoints(thread_id, checkpoint_ns, checkpoint_id)
    WHERE needs_parent = 1;

CREATE TABLE IF NOT EXISTS langgraph_writes (
    thread_id TEXT NOT NULL,
    checkpoint_ns TEXT NOT NULL DEFAULT '',
    checkpoint_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    task_path TEXT NOT NULL DEFAULT '',
    idx INTEGER NOT NULL,
    channel TEXT NOT NULL,
    type TEXT,
    value BLOB,
    PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx)
) WITHOUT ROWID;

-- A checkpoint keeps its thread row current (to the minute: idle means days), and takes its pending writes with it when deleted
-- (retention, prune, delete_for_runs, archival). Saving a checkpoint again is an UPSERT, never a
-- REPLACE, so its writes stay.
CREATE TRIGGER IF NOT EXISTS langgraph_checkpoints_thread AFTER INSERT ON langgraph_checkpoints BEGIN
    INSERT INTO langgraph_threads (thread_id, created_at, updated_at) VALUES (NEW.thread_id, NEW.created_at, NEW.created_at)
    ON CONFLICT (thread_id) DO UPDATE SET updated_at = excluded.updated_at
    WHERE excluded.updated_at > strftime('%Y-%m-%d %H:%M:%f', updated_at, '+60 seconds');
END;
CREATE TRIGGER IF NOT EXISTS langgraph_checkpoints_writes AFTER DELETE ON langgraph_checkpoints BEGIN
    DELETE FROM langgraph_writes WHERE thread_id = OLD.thread_id AND checkpoint_ns = OLD.checkpoint_ns
        AND checkpoint_id = OLD.checkpoint_id;
END;
-- Retention may rewrite a thread's oldest checkpoint row in place with a new checkpoint: the
-- replaced checkpoint's writes go, the thread row is touched as for an insert.
CREATE TRIGGER IF NOT EXISTS langgraph_checkpoints_recycled AFTER UPDATE OF checkpoint_id ON langgraph_checkpoints
WHEN OLD.checkpoint_id <> NEW.checkpoint_id BEGIN
    DELETE FROM langgraph_writes WHERE thread_id = OLD.thread_id AND checkpoint_ns = OLD.checkpoint_ns
        AND checkpoint_id = OLD.checkpoint_id;
    UPDATE langgraph_threads SET updated_at = NEW.created_at
    WHERE thread_id = NEW.thread_id AND NEW.created_at > strftime('%Y-%m-%d %H:%M:%f', updated_at, '+60 seconds');
END;

-- CortexStore: items by namespace (labels joined by '.', which labels may not contain) and key.
-- expires_at is epoch seconds from the store's clock (NULL = never); ttl_minutes is kept to
-- refresh it on read.
CREATE TABLE IF NOT EXISTS langgraph_store (
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL CHECK (json_valid(value)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    expires_at REAL,
    ttl_minutes REAL,
    PRIMARY KEY (namespace, key)
);
CREATE INDEX IF NOT EXISTS idx_langgraph_store_expires ON langgraph_store(expires_at) WHERE expires_at IS NOT NULL;
-- down
DROP TABLE IF EXISTS langgraph_store;
DROP TABLE IF EXISTS langgraph_writes;
DROP TABLE IF EXISTS langgraph_checkpoints;
DROP TABLE IF EXISTS langgraph_threads;

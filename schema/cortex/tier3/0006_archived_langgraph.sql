-- Tier-3 archive of idle LangGraph threads (archive group langgraph_threads): the live tables'
-- columns plus archived_at / archive_op_id, keyed like the live tables so a move or restore
-- copies each row once.
CREATE TABLE IF NOT EXISTS archived_langgraph_threads (
    thread_id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    archived_at TEXT NOT NULL,
    archive_op_id INTEGER
);

CREATE TABLE IF NOT EXISTS archived_langgraph_checkpoints (
    thread_id TEXT NOT NULL,
    checkpoint_ns TEXT NOT NULL,
    checkpoint_id TEXT NOT NULL,
    parent_checkpoint_id TEXT,
    run_id TEXT,
    needs_parent INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    metadata TEXT NOT NULL CHECK (json_valid(metadata)),
    archived_at TEXT NOT NULL,
    archive_op_id INTEGER,
    type TEXT,
    checkpoint BLOB,
    PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id)
);

CREATE TABLE IF NOT EXISTS archived_langgraph_writes (
    thread_id TEXT NOT NULL,
    checkpoint_ns TEXT NOT NULL,
    checkpoint_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    task_path TEXT NOT NULL,
    idx INTEGER NOT NULL,
    channel TEXT NOT NULL,
    type TEXT,
    value BLOB,
    archived_at TEXT NOT NULL,
    archive_op_id INTEGER,
    PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx)
);
-- down
DROP TABLE IF EXISTS archived_langgraph_writes;
DROP TABLE IF EXISTS archived_langgraph_checkpoints;
DROP TABLE IF EXISTS archived_langgraph_threads;

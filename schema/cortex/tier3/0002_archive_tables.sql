-- Tier-3 archive: rows moved from tiers 1-2 keep their own columns and stable key, plus when and
-- by which archival operation they arrived. No foreign keys: the archive holds whatever the
-- protocol copied, and the health review finds orphans.
CREATE TABLE IF NOT EXISTS archived_conversations (
    conversation_id TEXT PRIMARY KEY,
    title TEXT,
    created_at TIMESTAMP,
    last_updated TIMESTAMP,
    message_count INTEGER,
    is_active INTEGER,
    summary TEXT,
    session_id TEXT,
    task_status TEXT,
    archived INTEGER,
    last_action_at TIMESTAMP,
    archived_at TEXT NOT NULL,
    archive_op_id INTEGER
);
CREATE INDEX IF NOT EXISTS idx_archived_conversations_session ON archived_conversations(session_id);
CREATE INDEX IF NOT EXISTS idx_archived_conversations_updated ON archived_conversations(last_updated DESC);

CREATE TABLE IF NOT EXISTS archived_messages (
    id INTEGER PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    metadata TEXT CHECK (metadata IS NULL OR json_valid(metadata)),
    created_at TIMESTAMP,
    archived_at TEXT NOT NULL,
    archive_op_id INTEGER
);
CREATE INDEX IF NOT EXISTS idx_archived_messages_conversation ON archived_messages(conversation_id, id);

CREATE TABLE IF NOT EXISTS archived_conversation_actions (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL,
    turn_number INTEGER NOT NULL,
    action_type TEXT NOT NULL,
    description TEXT NOT NULL,
    metadata_json TEXT,
    success INTEGER,
    created_at TIMESTAMP,
    archived_at TEXT NOT NULL,
    archive_op_id INTEGER
);
CREATE INDEX IF NOT EXISTS idx_archived_actions_session ON archived_conversation_actions(session_id, turn_number);

CREATE TABLE IF NOT EXISTS archived_conversation_state_snapshots (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL,
    turn_number INTEGER NOT NULL,
    state_json TEXT NOT NULL,
    created_at TIMESTAMP,
    archived_at TEXT NOT NULL,
    archive_op_id INTEGER
);
CREATE INDEX IF NOT EXISTS idx_archived_snapshots_session ON archived_conversation_state_snapshots(session_id, turn_number);

CREATE TABLE IF NOT EXISTS archived_provenance_links (
    id INTEGER PRIMARY KEY,
    source_type TEXT NOT NULL,
    source_ref TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_ref TEXT NOT NULL,
    relation TEXT NOT NULL,
    confidence REAL,
    created_at TIMESTAMP,
    archived_at TEXT NOT NULL,
    archive_op_id INTEGER
);
CREATE INDEX IF NOT EXISTS idx_archived_provenance_source ON archived_provenance_links(source_type, source_ref);

CREATE TABLE IF NOT EXISTS archived_workspace_databases (
    id INTEGER PRIMARY KEY,
    database_type TEXT NOT NULL,
    connection_string TEXT NOT NULL,
    host TEXT,
    port INTEGER,
    database_name TEXT,
    discovered_at REAL NOT NULL,
    last_verified REAL,
    schemas TEXT,
    table_count INTEGER,
    metadata TEXT,
    archived_at TEXT NOT NULL,
    archive_op_id INTEGER
);

CREATE TABLE IF NOT EXISTS archived_workspace_apis (
    id INTEGER PRIMARY KEY,
    api_type TEXT NOT NULL,
    base_url TEXT NOT NULL,
    spec_location TEXT,
    endpoints TEXT,
    discovered_at REAL NOT NULL,
    last_verified REAL,
    authentication_type TEXT,
    metadata TEXT,
    archived_at TEXT NOT NULL,
    archive_op_id INTEGER
);

CREATE TABLE IF NOT EXISTS archived_workspace_frameworks (
    id INTEGER PRIMARY KEY,
    framework_type TEXT NOT NULL,
    version TEXT,
    config_location TEXT,
    components_count INTEGER,
    routes_count INTEGER,
    discovered_at REAL NOT NULL,
    last_verified REAL,
    metadata TEXT,
    archived_at TEXT NOT NULL,
    archive_op_id INTEGER
);

-- The resumable protocol's state on seed 001's archival_operations row.
ALTER TABLE archival_operations ADD COLUMN op_key TEXT;          -- uuid of the operation
ALTER TABLE archival_operations ADD COLUMN group_name TEXT;      -- archive group (conversations, ...)
ALTER TABLE archival_operations ADD COLUMN kind TEXT DEFAULT 'archive';  -- archive|restore
ALTER TABLE archival_operations ADD COLUMN state TEXT DEFAULT 'done';    -- planned|copied|done|failed
CREATE UNIQUE INDEX IF NOT EXISTS idx_archival_operations_key ON archival_operations(op_key);
CREATE INDEX IF NOT EXISTS idx_archival_operations_state ON archival_operations(state);

-- The root keys an operation moves, recorded before any row is copied (so a resumed run moves
-- exactly the same rows).
CREATE TABLE IF NOT EXISTS archival_operation_keys (
    op_id INTEGER NOT NULL REFERENCES archival_operations(id) ON DELETE CASCADE,
    root_key NOT NULL,
    PRIMARY KEY (op_id, root_key)
) WITHOUT ROWID;

-- aggregate_then_drop retention: one row per table, day and group with counts and sums.
CREATE TABLE IF NOT EXISTS retention_rollups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    table_name TEXT NOT NULL,
    period TEXT NOT NULL,                        -- YYYY-MM-DD (UTC day of the rows)
    group_key TEXT NOT NULL,                     -- JSON object of the group_by values
    row_count INTEGER NOT NULL,
    stats_json TEXT NOT NULL CHECK (json_valid(stats_json)),  -- {"sum": {...}, "n": {...}, "count_by": {...}}
    updated_at TEXT NOT NULL,
    UNIQUE (table_name, period, group_key)
);

-- High-water mark of aggregate_then_drop per table: rows with id <= last_id are in the rollups
-- (committed with them), so the delete of the detail rows can be retried without double counting.
CREATE TABLE IF NOT EXISTS retention_rollup_marks (
    table_name TEXT PRIMARY KEY,
    last_id INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
-- down
DROP TABLE IF EXISTS retention_rollup_marks;
DROP TABLE IF EXISTS retention_rollups;
DROP TABLE IF EXISTS archival_operation_keys;
DROP INDEX IF EXISTS idx_archival_operations_state;
DROP INDEX IF EXISTS idx_archival_operations_key;
ALTER TABLE archival_operations DROP COLUMN state;
ALTER TABLE archival_operations DROP COLUMN kind;
ALTER TABLE archival_operations DROP COLUMN group_name;
ALTER TABLE archival_operations DROP COLUMN op_key;
DROP TABLE IF EXISTS archived_workspace_frameworks;
DROP TABLE IF EXISTS archived_workspace_apis;
DROP TABLE IF EXISTS archived_workspace_databases;
DROP TABLE IF EXISTS archived_provenance_links;
DROP TABLE IF EXISTS archived_conversation_state_snapshots;
DROP TABLE IF EXISTS archived_conversation_actions;
DROP TABLE IF EXISTS archived_messages;
DROP TABLE IF EXISTS archived_conversations;

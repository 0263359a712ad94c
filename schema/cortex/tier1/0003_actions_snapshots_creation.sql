-- Seed 001 tables 6, 7, 10, 11: incremental creation, conversation actions and state snapshots.
CREATE TABLE IF NOT EXISTS creation_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    file_path TEXT NOT NULL,
    file_type TEXT NOT NULL,                     -- markdown|python|json|other
    total_chunks INTEGER NOT NULL,
    started_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    completed INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    UNIQUE(file_path)
);
CREATE INDEX IF NOT EXISTS idx_creation_sessions_status ON creation_sessions(completed, failed);

CREATE TABLE IF NOT EXISTS creation_chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL REFERENCES creation_sessions(id) ON DELETE CASCADE,
    chunk_number INTEGER NOT NULL,
    chunk_type TEXT NOT NULL,                    -- header|section|code_block|list|table|footer
    line_start INTEGER NOT NULL,
    line_end INTEGER NOT NULL,
    estimated_tokens INTEGER,
    status TEXT NOT NULL DEFAULT 'pending',      -- pending|written|failed|skipped
    validation_warnings TEXT,                    -- JSON array
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE(session_id, chunk_number)
);
CREATE INDEX IF NOT EXISTS idx_creation_chunks_session ON creation_chunks(session_id, chunk_number);

CREATE TABLE IF NOT EXISTS conversation_actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    turn_number INTEGER NOT NULL,
    action_type TEXT NOT NULL,                   -- retrieval|generation|write|maintenance|self_review
    description TEXT NOT NULL,
    metadata_json TEXT,                          -- JSON object (paths, counts, etc.)
    success INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_conversation_actions_session_turn ON conversation_actions(session_id, turn_number);

CREATE TABLE IF NOT EXISTS conversation_state_snapshots (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    turn_number INTEGER NOT NULL,
    state_json TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE(session_id, turn_number)
);
CREATE INDEX IF NOT EXISTS idx_state_snapshots_session ON conversation_state_snapshots(session_id, turn_number DESC);
-- down
DROP TABLE IF EXISTS conversation_state_snapshots;
DROP TABLE IF EXISTS conversation_actions;
DROP TABLE IF EXISTS creation_chunks;
DROP TABLE IF EXISTS creation_sessions;

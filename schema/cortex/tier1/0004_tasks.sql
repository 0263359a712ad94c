-- Seed 002 task tables (tasks, task_artifacts, task_progress) with its indexes, mapped to SQLite:
-- UUID -> TEXT holding a uuid (the store supplies uuid4 text; the default makes one for raw
-- inserts), JSONB -> JSON TEXT with json_valid, TIMESTAMPTZ -> the store's timestamp text
-- (YYYY-MM-DD HH:MM:SS.SSS UTC). VARCHAR(n) and DECIMAL(5,2) keep their declared types;
-- lengths, statuses and percentages are validated by cortexdb before a row is written.
CREATE TABLE IF NOT EXISTS tasks (
    id TEXT PRIMARY KEY DEFAULT (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
    task_id VARCHAR(255) NOT NULL UNIQUE,
    description TEXT NOT NULL,
    status VARCHAR(50) NOT NULL DEFAULT 'pending',
    execution_mode VARCHAR(20) DEFAULT 'auto',
    risk_tier INTEGER DEFAULT 2,
    created_at TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    started_at TEXT,
    completed_at TEXT,
    error_message TEXT,
    metadata TEXT DEFAULT '{}' CHECK (metadata IS NULL OR json_valid(metadata))
);

CREATE TABLE IF NOT EXISTS task_artifacts (
    id TEXT PRIMARY KEY DEFAULT (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
    task_id TEXT NOT NULL REFERENCES tasks(id),
    artifact_type VARCHAR(50) NOT NULL,
    content TEXT NOT NULL CHECK (json_valid(content)),
    created_at TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);

CREATE TABLE IF NOT EXISTS task_progress (
    id TEXT PRIMARY KEY DEFAULT (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
    task_id TEXT NOT NULL REFERENCES tasks(id),
    phase VARCHAR(100) NOT NULL,
    progress_percentage DECIMAL(5,2),
    message TEXT,
    metadata TEXT DEFAULT '{}' CHECK (metadata IS NULL OR json_valid(metadata)),
    created_at TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);

-- Seed 002 "Indexing Strategy" (task status and lifecycle, progress tracking).
CREATE INDEX IF NOT EXISTS idx_tasks_status ON tasks(status);
CREATE INDEX IF NOT EXISTS idx_tasks_created_at ON tasks(created_at);
CREATE INDEX IF NOT EXISTS idx_tasks_task_id ON tasks(task_id);
CREATE INDEX IF NOT EXISTS idx_task_progress_task_id ON task_progress(task_id);
CREATE INDEX IF NOT EXISTS idx_task_progress_created_at ON task_progress(created_at);
-- Added: the foreign key of task_artifacts is looked up per task.
CREATE INDEX IF NOT EXISTS idx_task_artifacts_task_id ON task_artifacts(task_id);
-- down
DROP TABLE IF EXISTS task_progress;
DROP TABLE IF EXISTS task_artifacts;
DROP TABLE IF EXISTS tasks;

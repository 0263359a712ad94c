-- Seed 001 tables 8-9: plugin registry and hook executions (joined by a FOREIGN KEY, so one tier).
CREATE TABLE IF NOT EXISTS plugins (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plugin_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    category TEXT NOT NULL,
    priority INTEGER NOT NULL,
    description TEXT,
    author TEXT,
    dependencies TEXT,                           -- JSON array
    hooks TEXT,                                  -- JSON array
    enabled INTEGER NOT NULL DEFAULT 1,
    registered_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_plugins_category ON plugins(category, enabled);

CREATE TABLE IF NOT EXISTS plugin_hook_executions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plugin_id TEXT NOT NULL REFERENCES plugins(plugin_id) ON DELETE CASCADE,
    hook TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    completed_at TIMESTAMP,
    duration_ms REAL,
    status TEXT NOT NULL DEFAULT 'running',      -- running|success|failed
    error_message TEXT,
    context_json TEXT,
    result_json TEXT
);
CREATE INDEX IF NOT EXISTS idx_plugin_hook_exec_hook_time ON plugin_hook_executions(hook, started_at DESC);
-- down
DROP TABLE IF EXISTS plugin_hook_executions;
DROP TABLE IF EXISTS plugins;

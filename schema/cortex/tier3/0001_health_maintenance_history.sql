-- Seed 001 tables 1-5 and 12: self-review, maintenance, archival, retention snapshots, boundary events.
CREATE TABLE IF NOT EXISTS health_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    overall_status TEXT NOT NULL,                -- excellent|good|fair|poor|critical
    overall_score REAL NOT NULL,                 -- 0.0 - 1.0
    database_score REAL NOT NULL,
    performance_score REAL NOT NULL,
    rule_compliance_score REAL NOT NULL,
    test_coverage_score REAL NOT NULL,
    storage_score REAL NOT NULL,
    auto_fixable_count INTEGER NOT NULL,
    fixed_count INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_health_reports_created_at ON health_reports(created_at DESC);

CREATE TABLE IF NOT EXISTS health_issues (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id INTEGER NOT NULL REFERENCES health_reports(id) ON DELETE CASCADE,
    category TEXT NOT NULL,                      -- database|performance|rule_compliance|tests|storage
    severity TEXT NOT NULL,                      -- critical|high|medium|low|info
    title TEXT NOT NULL,
    description TEXT,
    auto_fixable INTEGER NOT NULL DEFAULT 0,
    fix_applied INTEGER NOT NULL DEFAULT 0,
    fix_description TEXT,
    impact TEXT,
    recommendation TEXT,
    detected_at TIMESTAMP NOT NULL,
    UNIQUE(report_id, title)
);
CREATE INDEX IF NOT EXISTS idx_health_issues_report ON health_issues(report_id);
CREATE INDEX IF NOT EXISTS idx_health_issues_severity ON health_issues(severity);

CREATE TABLE IF NOT EXISTS maintenance_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    completed_at TIMESTAMP,
    tier TEXT NOT NULL,                          -- tier1|tier2|tier3
    operations TEXT NOT NULL,                    -- JSON array
    fragmentation_before REAL,
    fragmentation_after REAL,
    size_before_mb REAL,
    size_after_mb REAL,
    space_reclaimed_mb REAL,
    query_time_before_ms REAL,
    query_time_after_ms REAL,
    speedup REAL,
    status TEXT NOT NULL DEFAULT 'running',      -- running|success|failed|rolled_back
    error_message TEXT
);
CREATE INDEX IF NOT EXISTS idx_maintenance_runs_tier_time ON maintenance_runs(tier, started_at DESC);

CREATE TABLE IF NOT EXISTS archival_operations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    completed_at TIMESTAMP,
    source_tier TEXT NOT NULL,
    destination_tier TEXT NOT NULL,
    records_archived INTEGER NOT NULL,
    space_freed_mb REAL,
    oldest_record_at TIMESTAMP,
    newest_record_at TIMESTAMP,
    compression_enabled INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'success',      -- success|failed|rolled_back
    error_message TEXT
);
CREATE INDEX IF NOT EXISTS idx_archival_operations_time ON archival_operations(started_at DESC);

CREATE TABLE IF NOT EXISTS retention_policy_snapshots (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    tier TEXT NOT NULL,
    policy_json TEXT NOT NULL,                   -- JSON of applied policy
    violations_count INTEGER NOT NULL,
    age_violations INTEGER NOT NULL,
    count_violations INTEGER NOT NULL,
    actions_taken TEXT                           -- JSON array of actions
);
CREATE INDEX IF NOT EXISTS idx_retention_policy_snapshots_tier_time ON retention_policy_snapshots(tier, created_at DESC);

CREATE TABLE IF NOT EXISTS boundary_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    event_type TEXT NOT NULL,                    -- read|write|scan|delete|plugin
    path TEXT NOT NULL,
    allowed INTEGER NOT NULL,                    -- 1 allowed, 0 denied
    reason TEXT,
    rule_reference TEXT,                         -- Which rule triggered decision
    plugin_id TEXT,
    session_id TEXT
);
CREATE INDEX IF NOT EXISTS idx_boundary_events_time ON boundary_events(occurred_at DESC);
CREATE INDEX IF NOT EXISTS idx_boundary_events_path ON boundary_events(path);
-- down
DROP TABLE IF EXISTS boundary_events;
DROP TABLE IF EXISTS retention_policy_snapshots;
DROP TABLE IF EXISTS archival_operations;
DROP TABLE IF EXISTS maintenance_runs;
DROP TABLE IF EXISTS health_issues;
DROP TABLE IF EXISTS health_reports;

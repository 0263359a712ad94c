-- grace/tier3: metrics and history: pipeline metrics (aggregated hourly after 7 days, daily after
-- 30), SLIs, model runtime metrics, SLO violations and alerts, memory analytics and the memory
-- operation log, per-kernel state snapshots, the unified snapshots and rollback history.
CREATE TABLE IF NOT EXISTS processing_metrics (
    id INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL,                       -- tier2.sources.source_id
    stage TEXT NOT NULL DEFAULT 'bronze' CHECK (stage IN ('bronze', 'silver', 'gold')),
    granularity TEXT NOT NULL DEFAULT 'raw' CHECK (granularity IN ('raw', 'hour', 'day')),
    timestamp TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    records_in INTEGER NOT NULL DEFAULT 0 CHECK (records_in >= 0),
    records_out INTEGER NOT NULL DEFAULT 0 CHECK (records_out >= 0),
    throughput REAL CHECK (throughput IS NULL OR throughput >= 0),
    error_rate REAL NOT NULL DEFAULT 0 CHECK (error_rate BETWEEN 0 AND 1),
    latency_ms REAL CHECK (latency_ms IS NULL OR latency_ms >= 0),
    trust_score REAL CHECK (trust_score IS NULL OR trust_score BETWEEN 0 AND 1),
    samples INTEGER NOT NULL DEFAULT 1 CHECK (samples >= 1)
);
CREATE INDEX IF NOT EXISTS idx_processing_metrics_time ON processing_metrics(timestamp, source_id);
CREATE INDEX IF NOT EXISTS idx_processing_metrics_source ON processing_metrics(source_id, timestamp);
CREATE TABLE IF NOT EXISTS sli_measurements (
    id INTEGER PRIMARY KEY,
    component TEXT NOT NULL,
    sli_type TEXT NOT NULL CHECK (sli_type IN ('latency', 'availability', 'error_rate', 'throughput')),
    value REAL NOT NULL,
    target REAL NOT NULL,
    met INTEGER NOT NULL CHECK (met IN (0, 1)),
    measured_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_sli_measurements ON sli_measurements(component, sli_type, measured_at);
CREATE TABLE IF NOT EXISTS model_metrics (
    id INTEGER PRIMARY KEY,
    model_id TEXT NOT NULL,                        -- tier2.models.model_id
    deployment_id TEXT,                            -- tier2.model_deployments.deployment_id
    metric_name TEXT NOT NULL,
    value REAL NOT NULL,
    recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_model_metrics ON model_metrics(model_id, metric_name, recorded_at);
CREATE TABLE IF NOT EXISTS slo_violations (
    violation_id TEXT PRIMARY KEY,
    deployment_id TEXT,
    model_id TEXT,
    slo_name TEXT NOT NULL,
    observed REAL NOT NULL,
    threshold REAL NOT NULL,
    comparison TEXT NOT NULL DEFAULT 'max' CHECK (comparison IN ('max', 'min')),
    detected_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_slo_violations_deployment ON slo_violations(deployment_id, detected_at);
CREATE TABLE IF NOT EXISTS alerts (
    alert_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
    title TEXT NOT NULL,
    details_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details_json)),
    slo_violation_id TEXT REFERENCES slo_violations(violation_id) ON DELETE SET NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    resolved_at TEXT
);
CREATE INDEX IF NOT EXISTS idx_alerts_status ON alerts(status, severity, created_at);

CREATE TABLE IF NOT EXISTS memory_access_patterns (
    memory_tier TEXT NOT NULL CHECK (memory_tier IN ('lightning', 'fusion', 'structured', 'librarian')),
    key TEXT NOT NULL,
    hour_bucket TEXT NOT NULL,                     -- YYYY-MM-DD HH:00
    reads INTEGER NOT NULL DEFAULT 0 CHECK (reads >= 0),
    writes INTEGER NOT NULL DEFAULT 0 CHECK (writes >= 0),
    misses INTEGER NOT NULL DEFAULT 0 CHECK (misses >= 0),
    PRIMARY KEY (memory_tier, key, hour_bucket)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idx_memory_access_patterns_hour ON memory_access_patterns(hour_bucket);
CREATE TABLE IF NOT EXISTS memory_stats (
    id INTEGER PRIMARY KEY,
    memory_tier TEXT NOT NULL CHECK (memory_tier IN ('lightning', 'fusion', 'structured', 'librarian')),
    entries INTEGER NOT NULL CHECK (entries >= 0),
    storage_bytes INTEGER NOT NULL CHECK (storage_bytes >= 0),
    cache_hit_rate REAL CHECK (cache_hit_rate IS NULL OR cache_hit_rate BETWEEN 0 AND 1),
    avg_response_ms REAL CHECK (avg_response_ms IS NULL OR avg_response_ms >= 0),
    recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_memory_stats ON memory_stats(memory_tier, recorded_at);
CREATE TABLE IF NOT EXISTS memory_operations (
    id INTEGER PRIMARY KEY,
    memory_tier TEXT NOT NULL CHECK (memory_tier IN ('lightning', 'fusion', 'structured', 'librarian')),
    operation TEXT NOT NULL CHECK (operation IN ('put', 'get', 'delete', 'expire', 'compress', 'snapshot', 'restore', 'cleanup')),
    key TEXT,
    outcome TEXT NOT NULL DEFAULT 'ok' CHECK (outcome IN ('ok', 'miss', 'error')),
    detail TEXT,
    occurred_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_memory_operations ON memory_operations(memory_tier, occurred_at);
CREATE TRIGGER IF NOT EXISTS memory_operations_append_only BEFORE UPDATE ON memory_operations
BEGIN
    SELECT RAISE(ABORT, 'memory_operations is an append-only audit log');
END;
CREATE TABLE IF NOT EXISTS memory_cleanup_tasks (
    task_id TEXT PRIMARY KEY,
    memory_tier TEXT NOT NULL CHECK (memory_tier IN ('lightning', 'fusion', 'structured', 'librarian')),
    task_type TEXT NOT NULL CHECK (task_type IN ('expire', 'compact', 'evict', 'reindex', 'vacuum')),
    schedule TEXT,
    status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'running', 'completed', 'failed')),
    due_at TEXT NOT NULL,
    last_run_at TEXT,
    affected INTEGER NOT NULL DEFAULT 0 CHECK (affected >= 0),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_memory_cleanup_tasks_due ON memory_cleanup_tasks(status, due_at);
CREATE TABLE IF NOT EXISTS memory_snapshots (
    snapshot_id TEXT PRIMARY KEY,
    reason TEXT,
    state_json TEXT NOT NULL CHECK (json_valid(state_json)),
    checksum TEXT NOT NULL CHECK (length(checksum) = 64),   -- sha256 of state_json
    created_by TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_memory_snapshots_time ON memory_snapshots(created_at);
CREATE TABLE IF NOT EXISTS resilience_snapshots (
    snapshot_id TEXT PRIMARY KEY,
    reason TEXT,
    state_json TEXT NOT NULL CHECK (json_valid(state_json)),
    checksum TEXT NOT NULL CHECK (length(checksum) = 64),   -- sha256 of state_json
    created_by TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_resilience_snapshots_time ON resilience_snapshots(created_at);
CREATE TABLE IF NOT EXISTS intel_snapshots (
    snapshot_id TEXT PRIMARY KEY,
    reason TEXT,
    state_json TEXT NOT NULL CHECK (json_valid(state_json)),
    checksum TEXT NOT NULL CHECK (length(checksum) = 64),   -- sha256 of state_json
    created_by TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_intel_snapshots_time ON intel_snapshots(created_at);
CREATE TABLE IF NOT EXISTS learning_snapshots (
    snapshot_id TEXT PRIMARY KEY,
    reason TEXT,
    state_json TEXT NOT NULL CHECK (json_valid(state_json)),
    checksum TEXT NOT NULL CHECK (length(checksum) = 64),   -- sha256 of state_json
    created_by TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_learning_snapshots_time ON learning_snapshots(created_at);
CREATE TABLE IF NOT EXISTS mlt_snapshots (
    snapshot_id TEXT PRIMARY KEY,
    reason TEXT,
    state_json TEXT NOT NULL CHECK (json_valid(state_json)),
    checksum TEXT NOT NULL CHECK (length(checksum) = 64),   -- sha256 of state_json
    created_by TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_mlt_snapshots_time ON mlt_snapshots(created_at);
-- Unified snapshots of any component, and the rollbacks restored from them.
CREATE TABLE IF NOT EXISTS snapshots (
    snapshot_id TEXT PRIMARY KEY,
    component TEXT NOT NULL CHECK (component IN ('core', 'ingress', 'intelligence', 'learning', 'memory', 'orchestration',
                                                 'resilience', 'mlt', 'mldl', 'communications', 'common')),
    scope TEXT,
    state_json TEXT NOT NULL CHECK (json_valid(state_json)),
    checksum TEXT NOT NULL CHECK (length(checksum) = 64),
    size_bytes INTEGER NOT NULL DEFAULT 0 CHECK (size_bytes >= 0),
    created_by TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_snapshots_component ON snapshots(component, created_at);
CREATE TABLE IF NOT EXISTS rollback_history (
    id INTEGER PRIMARY KEY,
    snapshot_id TEXT REFERENCES snapshots(snapshot_id) ON DELETE SET NULL,
    component TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'started' CHECK (status IN ('started', 'completed', 'failed')),
    started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    completed_at TEXT
);
CREATE INDEX IF NOT EXISTS idx_rollback_history ON rollback_history(component, started_at);
-- down
DROP TABLE IF EXISTS rollback_history;
DROP TABLE IF EXISTS snapshots;
DROP TABLE IF EXISTS mlt_snapshots;
DROP TABLE IF EXISTS learning_snapshots;
DROP TABLE IF EXISTS intel_snapshots;
DROP TABLE IF EXISTS resilience_snapshots;
DROP TABLE IF EXISTS memory_snapshots;
DROP TABLE IF EXISTS memory_cleanup_tasks;
DROP TABLE IF EXISTS memory_operations;
DROP TABLE IF EXISTS memory_stats;
DROP TABLE IF EXISTS memory_access_patterns;
DROP TABLE IF EXISTS alerts;
DROP TABLE IF EXISTS slo_violations;
DROP TABLE IF EXISTS model_metrics;
DROP TABLE IF EXISTS sli_measurements;
DROP TABLE IF EXISTS processing_metrics;

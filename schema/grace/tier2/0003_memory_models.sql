-- grace/tier2: persistent memory (fusion storage and the librarian index with its FTS5 search),
-- MLT core (experiences -> insights -> plans, specialist reports) and the MLDL model registry with
-- approvals, deployments and canary stages (runtime metrics, SLO violations, alerts: tier3).
CREATE TABLE IF NOT EXISTS fusion_memory (
    entry_id TEXT PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    content BLOB NOT NULL,
    content_type TEXT NOT NULL DEFAULT 'application/octet-stream',
    size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),   -- uncompressed size
    checksum TEXT NOT NULL CHECK (length(checksum) = 64),  -- sha256 of the uncompressed content
    compressed INTEGER NOT NULL DEFAULT 0 CHECK (compressed IN (0, 1)),
    compression_type TEXT CHECK (compression_type IN ('gzip', 'lz4', 'zstd')),
    metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
    tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array'),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    accessed_count INTEGER NOT NULL DEFAULT 0 CHECK (accessed_count >= 0),
    last_accessed_at TEXT,
    CHECK ((compressed = 0) = (compression_type IS NULL))
);
CREATE INDEX IF NOT EXISTS idx_fusion_memory_updated ON fusion_memory(updated_at);

CREATE TABLE IF NOT EXISTS librarian_index (
    id INTEGER PRIMARY KEY,
    entry_key TEXT NOT NULL,                       -- fusion_memory.key (or a lightning key)
    index_type TEXT NOT NULL CHECK (index_type IN ('content', 'semantic', 'tag')),
    index_value TEXT NOT NULL,
    weight REAL NOT NULL DEFAULT 1.0 CHECK (weight >= 0),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    UNIQUE (entry_key, index_type, index_value)
);
CREATE INDEX IF NOT EXISTS idx_librarian_index_lookup ON librarian_index(index_type, index_value);
-- Full-text search over index_value (external content: the text lives once, in librarian_index).
CREATE VIRTUAL TABLE IF NOT EXISTS librarian_index_fts USING fts5(
    index_value, index_type UNINDEXED, content='librarian_index', content_rowid='id');
CREATE TRIGGER IF NOT EXISTS librarian_index_fts_insert AFTER INSERT ON librarian_index
BEGIN
    INSERT INTO librarian_index_fts (rowid, index_value, index_type) VALUES (NEW.id, NEW.index_value, NEW.index_type);
END;
CREATE TRIGGER IF NOT EXISTS librarian_index_fts_delete AFTER DELETE ON librarian_index
BEGIN
    INSERT INTO librarian_index_fts (librarian_index_fts, rowid, index_value, index_type)
    VALUES ('delete', OLD.id, OLD.index_value, OLD.index_type);
END;
CREATE TRIGGER IF NOT EXISTS librarian_index_fts_update AFTER UPDATE OF index_value, index_type ON librarian_index
BEGIN
    INSERT INTO librarian_index_fts (librarian_index_fts, rowid, index_value, index_type)
    VALUES ('delete', OLD.id, OLD.index_value, OLD.index_type);
    INSERT INTO librarian_index_fts (rowid, index_value, index_type) VALUES (NEW.id, NEW.index_value, NEW.index_type);
END;

-- MLT core: experiences flow from training, inference, governance and ops; insights trigger
-- plans; a plan executes only with a governance decision (tier0.governance_decisions, by key).
CREATE TABLE IF NOT EXISTS mlt_experiences (
    experience_id TEXT PRIMARY KEY,
    source TEXT NOT NULL CHECK (source IN ('training', 'inference', 'governance', 'ops')),
    signal_type TEXT NOT NULL,
    payload_json TEXT NOT NULL CHECK (json_valid(payload_json)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_mlt_experiences_source ON mlt_experiences(source, created_at);
CREATE TABLE IF NOT EXISTS mlt_insights (
    insight_id TEXT PRIMARY KEY,
    insight_type TEXT NOT NULL CHECK (insight_type IN ('drift', 'bias', 'calibration', 'performance', 'anomaly')),
    experience_ids_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(experience_ids_json) AND json_type(experience_ids_json) = 'array'),
    confidence REAL NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    details_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details_json)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_mlt_insights_type ON mlt_insights(insight_type, created_at);
CREATE TABLE IF NOT EXISTS mlt_plans (
    plan_id TEXT PRIMARY KEY,
    insight_id TEXT REFERENCES mlt_insights(insight_id) ON DELETE SET NULL,
    action TEXT NOT NULL CHECK (action IN ('retrain', 'reweight', 'recalibrate', 'rollback', 'collect_data')),
    status TEXT NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'approved', 'executing', 'completed', 'rejected')),
    governance_decision_id TEXT,
    steps_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(steps_json) AND json_type(steps_json) = 'array'),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    CHECK (status IN ('proposed', 'rejected') OR governance_decision_id IS NOT NULL)
);
CREATE INDEX IF NOT EXISTS idx_mlt_plans_status ON mlt_plans(status);
CREATE TABLE IF NOT EXISTS mlt_specialist_reports (
    report_id TEXT PRIMARY KEY,
    specialist TEXT NOT NULL,
    insight_id TEXT REFERENCES mlt_insights(insight_id) ON DELETE SET NULL,
    score REAL CHECK (score IS NULL OR score BETWEEN 0 AND 1),
    metrics_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metrics_json)),
    reported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_mlt_specialist_reports ON mlt_specialist_reports(specialist, reported_at);

-- MLDL: development -> staging -> production; production needs an approving model_approvals row.
CREATE TABLE IF NOT EXISTS models (
    model_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    stage TEXT NOT NULL DEFAULT 'development' CHECK (stage IN ('development', 'staging', 'production')),
    artifact_uri TEXT,
    metrics_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metrics_json)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    UNIQUE (name, version)
);
CREATE INDEX IF NOT EXISTS idx_models_stage ON models(stage);
CREATE TABLE IF NOT EXISTS model_approvals (
    approval_id TEXT PRIMARY KEY,
    model_id TEXT NOT NULL REFERENCES models(model_id),
    target_stage TEXT NOT NULL CHECK (target_stage IN ('staging', 'production')),
    approved INTEGER NOT NULL CHECK (approved IN (0, 1)),
    approver TEXT NOT NULL,
    governance_decision_id TEXT,
    reasons TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_model_approvals_model ON model_approvals(model_id, target_stage);
CREATE TRIGGER IF NOT EXISTS model_approvals_no_update BEFORE UPDATE ON model_approvals
BEGIN
    SELECT RAISE(ABORT, 'model_approvals rows are immutable: record a new approval');
END;
CREATE TRIGGER IF NOT EXISTS model_approvals_no_delete BEFORE DELETE ON model_approvals
BEGIN
    SELECT RAISE(ABORT, 'model_approvals rows are immutable: record a new approval');
END;
CREATE TRIGGER IF NOT EXISTS models_production_needs_approval BEFORE UPDATE OF stage ON models
WHEN NEW.stage = 'production' AND OLD.stage IS NOT 'production' AND NOT EXISTS (
    SELECT 1 FROM model_approvals WHERE model_id = NEW.model_id AND target_stage = 'production' AND approved = 1)
BEGIN
    SELECT RAISE(ABORT, 'models: production needs an approved model_approvals row (governance approval) first');
END;
CREATE TRIGGER IF NOT EXISTS models_insert_production_needs_approval BEFORE INSERT ON models
WHEN NEW.stage = 'production'
BEGIN
    SELECT RAISE(ABORT, 'models: register in development or staging; production needs an approval first');
END;
CREATE TABLE IF NOT EXISTS model_deployments (
    deployment_id TEXT PRIMARY KEY,
    model_id TEXT NOT NULL REFERENCES models(model_id),
    baseline_model_id TEXT REFERENCES models(model_id),
    environment TEXT NOT NULL DEFAULT 'production',
    traffic_percent INTEGER NOT NULL DEFAULT 0 CHECK (traffic_percent BETWEEN 0 AND 100),
    status TEXT NOT NULL DEFAULT 'canary' CHECK (status IN ('canary', 'active', 'rolled_back', 'retired')),
    deployed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_model_deployments_model ON model_deployments(model_id, status);
CREATE TABLE IF NOT EXISTS canary_progress (
    id INTEGER PRIMARY KEY,
    deployment_id TEXT NOT NULL REFERENCES model_deployments(deployment_id) ON DELETE CASCADE,
    stage_percent INTEGER NOT NULL CHECK (stage_percent IN (5, 25, 50, 100)),
    status TEXT NOT NULL DEFAULT 'started' CHECK (status IN ('started', 'passed', 'failed', 'rolled_back')),
    metrics_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metrics_json)),
    entered_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    completed_at TEXT,
    UNIQUE (deployment_id, stage_percent)
);
CREATE TABLE IF NOT EXISTS deployment_rollback_history (
    id INTEGER PRIMARY KEY,
    deployment_id TEXT NOT NULL REFERENCES model_deployments(deployment_id) ON DELETE CASCADE,
    from_percent INTEGER NOT NULL CHECK (from_percent BETWEEN 0 AND 100),
    reason TEXT NOT NULL,
    slo_violation_id TEXT,                         -- tier3.slo_violations.violation_id
    rolled_back_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_deployment_rollback_history ON deployment_rollback_history(deployment_id, rolled_back_at);
-- down
DROP TABLE IF EXISTS deployment_rollback_history;
DROP TABLE IF EXISTS canary_progress;
DROP TABLE IF EXISTS model_deployments;
DROP TABLE IF EXISTS model_approvals;
DROP TABLE IF EXISTS models;
DROP TABLE IF EXISTS mlt_specialist_reports;
DROP TABLE IF EXISTS mlt_plans;
DROP TABLE IF EXISTS mlt_insights;
DROP TABLE IF EXISTS mlt_experiences;
DROP TABLE IF EXISTS librarian_index_fts;
DROP TABLE IF EXISTS librarian_index;
DROP TABLE IF EXISTS fusion_memory;

-- agency/postgres: seed 002's tables in PostgreSQL with the seed's own types (UUID, JSONB,
-- TIMESTAMPTZ, TEXT[], INTERVAL, DECIMAL) and its "Indexing Strategy". PostgreSQL has no tiers:
-- one schema holds them all, so every seed FOREIGN KEY is real, including the ones SQLite keeps
-- within a tier. Columns cortexdb adds on SQLite are added here too (marked "added"), so both
-- dialects have the same columns. The task tables belong to the base (cortex) module's schema,
-- which the authority applies before any pack.
CREATE TABLE IF NOT EXISTS council_verdicts (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    task_id UUID NOT NULL REFERENCES tasks(id),
    judge_type VARCHAR(50) NOT NULL,
    verdict VARCHAR(20) NOT NULL,
    confidence_score DECIMAL(3,2) CHECK (confidence_score BETWEEN 0 AND 1),
    reasoning TEXT,
    evidence JSONB DEFAULT '{}'::jsonb,
    created_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE TABLE IF NOT EXISTS waivers (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    title VARCHAR(255) NOT NULL,
    reason VARCHAR(100) NOT NULL,
    description TEXT NOT NULL,
    gates TEXT[] NOT NULL CHECK (cardinality(gates) > 0),
    approved_by VARCHAR(255) NOT NULL CHECK (approved_by <> ''),
    impact_level VARCHAR(20) NOT NULL DEFAULT 'medium' CHECK (impact_level IN ('low', 'medium', 'high', 'critical')),
    mitigation_plan TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'expired', 'revoked')),
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE TABLE IF NOT EXISTS caws_violations (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    task_id UUID NOT NULL REFERENCES tasks(id),
    rule VARCHAR(100) NOT NULL,
    severity VARCHAR(20) NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
    description TEXT,
    violation_data JSONB DEFAULT '{}'::jsonb,
    resolved BOOLEAN DEFAULT FALSE,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    resolved_at TIMESTAMPTZ,                      -- added
    resolved_by TEXT                              -- added
);

CREATE TABLE IF NOT EXISTS provenance_records (
    verdict_id UUID PRIMARY KEY,
    task_id UUID NOT NULL,
    decision_type VARCHAR(50) NOT NULL,
    decision_data JSONB NOT NULL,
    consensus_score DECIMAL(3,2) NOT NULL CHECK (consensus_score BETWEEN 0 AND 1),
    judge_verdicts JSONB NOT NULL DEFAULT '{}',
    caws_compliance JSONB NOT NULL,
    claim_verification JSONB,
    git_commit_hash VARCHAR(40) CHECK (git_commit_hash ~ '^[0-9a-f]{40}$'),
    git_trailer TEXT NOT NULL,
    signature TEXT NOT NULL,
    timestamp TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    metadata JSONB NOT NULL DEFAULT '{}',
    created_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE TABLE IF NOT EXISTS git_commits (
    hash VARCHAR(40) PRIMARY KEY CHECK (hash ~ '^[0-9a-f]{40}$'),
    author VARCHAR(255),
    message TEXT,
    timestamp TIMESTAMPTZ,
    provenance_record_id UUID REFERENCES provenance_records(verdict_id),
    created_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE TABLE IF NOT EXISTS system_metrics (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    metric_name VARCHAR(100) NOT NULL,
    metric_value DECIMAL(15,6) NOT NULL,
    labels JSONB DEFAULT '{}'::jsonb,
    collected_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE TABLE IF NOT EXISTS slo_measurements (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    slo_name VARCHAR(100) NOT NULL,
    target_value DECIMAL(10,4),
    actual_value DECIMAL(10,4),
    compliance_percentage DECIMAL(5,2) CHECK (compliance_percentage BETWEEN 0 AND 100),
    measurement_period INTERVAL,
    measured_at TIMESTAMPTZ DEFAULT NOW()
);

-- One table for seed 002's alerting and seed 004's deployment alert management (docs/agency.md).
CREATE TABLE IF NOT EXISTS alerts (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    alert_type VARCHAR(50) NOT NULL,
    severity VARCHAR(20) NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
    title VARCHAR(255) NOT NULL,
    description TEXT,
    status VARCHAR(20) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'acknowledged', 'resolved')),
    acknowledged_by VARCHAR(255),
    acknowledged_at TIMESTAMPTZ,
    resolved_at TIMESTAMPTZ,
    metadata JSONB DEFAULT '{}'::jsonb,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    source VARCHAR(50),                           -- added
    subject VARCHAR(255),                         -- added
    resolved_by VARCHAR(255)                      -- added
);

-- Seed 002 "Indexing Strategy".
CREATE INDEX IF NOT EXISTS idx_tasks_status ON tasks(status);
CREATE INDEX IF NOT EXISTS idx_tasks_created_at ON tasks(created_at);
CREATE INDEX IF NOT EXISTS idx_tasks_task_id ON tasks(task_id);
CREATE INDEX IF NOT EXISTS idx_task_progress_task_id ON task_progress(task_id);
CREATE INDEX IF NOT EXISTS idx_task_progress_created_at ON task_progress(created_at);
CREATE INDEX IF NOT EXISTS idx_council_verdicts_task_id ON council_verdicts(task_id);
CREATE INDEX IF NOT EXISTS idx_council_verdicts_judge_type ON council_verdicts(judge_type);
CREATE INDEX IF NOT EXISTS idx_waivers_status ON waivers(status);
CREATE INDEX IF NOT EXISTS idx_waivers_expires_at ON waivers(expires_at);
CREATE INDEX IF NOT EXISTS idx_waivers_approved_by ON waivers(approved_by);
CREATE INDEX IF NOT EXISTS idx_provenance_records_task_id ON provenance_records(task_id);
CREATE INDEX IF NOT EXISTS idx_provenance_records_git_commit_hash ON provenance_records(git_commit_hash);
CREATE INDEX IF NOT EXISTS idx_system_metrics_name_time ON system_metrics(metric_name, collected_at);
CREATE INDEX IF NOT EXISTS idx_slo_measurements_name_time ON slo_measurements(slo_name, measured_at);
CREATE INDEX IF NOT EXISTS idx_alerts_status_created ON alerts(status, created_at);
-- Added, as on SQLite: the foreign keys looked up per parent.
CREATE INDEX IF NOT EXISTS idx_task_artifacts_task_id ON task_artifacts(task_id);
CREATE INDEX IF NOT EXISTS idx_caws_violations_task_id ON caws_violations(task_id, resolved);
CREATE INDEX IF NOT EXISTS idx_git_commits_provenance_record_id ON git_commits(provenance_record_id);
-- down
DROP TABLE IF EXISTS alerts, slo_measurements, system_metrics, git_commits, provenance_records, caws_violations,
    waivers, council_verdicts;

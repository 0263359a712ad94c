-- agency/tier3: metrics, SLO measurements and alerts (history and monitoring live in tier 3).
-- DECIMAL(p,s) -> REAL CHECKed to the range the precision allows; INTERVAL -> seconds (REAL).
-- alerts is the one table seed 002 (alerting and acknowledgment) and seed 004 (model deployment
-- alert management) both name: seed 002's columns, plus source (what raised it: slo, metric,
-- deployment, ...), subject (the SLO, metric or deployment concerned) and resolved_by.
-- Alert status: active -> acknowledged -> resolved, or active -> resolved (final).
CREATE TABLE IF NOT EXISTS system_metrics (
    id TEXT PRIMARY KEY DEFAULT (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
    metric_name VARCHAR(100) NOT NULL CHECK (length(metric_name) BETWEEN 1 AND 100),
    metric_value REAL NOT NULL CHECK (abs(metric_value) < 1000000000),
    labels TEXT DEFAULT '{}' CHECK (labels IS NULL OR json_valid(labels)),
    collected_at TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);

CREATE TABLE IF NOT EXISTS slo_measurements (
    id TEXT PRIMARY KEY DEFAULT (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
    slo_name VARCHAR(100) NOT NULL CHECK (length(slo_name) BETWEEN 1 AND 100),
    target_value REAL CHECK (target_value IS NULL OR abs(target_value) < 1000000),
    actual_value REAL CHECK (actual_value IS NULL OR abs(actual_value) < 1000000),
    compliance_percentage REAL CHECK (compliance_percentage IS NULL OR compliance_percentage BETWEEN 0 AND 100),
    measurement_period REAL CHECK (measurement_period IS NULL OR measurement_period >= 0),
    measured_at TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);

CREATE TABLE IF NOT EXISTS alerts (
    id TEXT PRIMARY KEY DEFAULT (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
    alert_type VARCHAR(50) NOT NULL CHECK (length(alert_type) BETWEEN 1 AND 50),
    severity VARCHAR(20) NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
    title VARCHAR(255) NOT NULL CHECK (length(title) BETWEEN 1 AND 255),
    description TEXT,
    status VARCHAR(20) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'acknowledged', 'resolved')),
    acknowledged_by VARCHAR(255),
    acknowledged_at TEXT,
    resolved_at TEXT,
    metadata TEXT DEFAULT '{}' CHECK (metadata IS NULL OR json_valid(metadata)),
    created_at TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    source VARCHAR(50),
    subject VARCHAR(255),
    resolved_by VARCHAR(255)
);

-- Seed 002 "Indexing Strategy" (monitoring).
CREATE INDEX IF NOT EXISTS idx_system_metrics_name_time ON system_metrics(metric_name, collected_at);
CREATE INDEX IF NOT EXISTS idx_slo_measurements_name_time ON slo_measurements(slo_name, measured_at);
CREATE INDEX IF NOT EXISTS idx_alerts_status_created ON alerts(status, created_at);
-- down
DROP TABLE IF EXISTS alerts;
DROP TABLE IF EXISTS slo_measurements;
DROP TABLE IF EXISTS system_metrics;

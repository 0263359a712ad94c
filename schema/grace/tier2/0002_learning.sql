-- grace/tier2: the learning kernel: datasets and their immutable versions, labeling, active
-- learning, augmentation, quality reports and weak supervision (learning_snapshots: tier3).
CREATE TABLE IF NOT EXISTS datasets (
    dataset_id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT,
    owner TEXT,
    governance_label TEXT NOT NULL DEFAULT 'internal' CHECK (governance_label IN ('public', 'internal', 'restricted')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE TABLE IF NOT EXISTS dataset_versions (
    version_id TEXT PRIMARY KEY,
    dataset_id TEXT NOT NULL REFERENCES datasets(dataset_id),
    version INTEGER NOT NULL CHECK (version >= 1),
    manifest_json TEXT NOT NULL CHECK (json_valid(manifest_json)),
    content_hash TEXT NOT NULL,
    row_count INTEGER NOT NULL DEFAULT 0 CHECK (row_count >= 0),
    storage_uri TEXT,
    governance_label TEXT NOT NULL DEFAULT 'internal' CHECK (governance_label IN ('public', 'internal', 'restricted')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    UNIQUE (dataset_id, version)
);
CREATE TRIGGER IF NOT EXISTS dataset_versions_no_update BEFORE UPDATE ON dataset_versions
BEGIN
    SELECT RAISE(ABORT, 'dataset_versions rows are immutable: create a new version of the dataset');
END;
CREATE TRIGGER IF NOT EXISTS dataset_versions_no_delete BEFORE DELETE ON dataset_versions
BEGIN
    SELECT RAISE(ABORT, 'dataset_versions rows are immutable: create a new version of the dataset');
END;
-- A dataset's identity is frozen once it has a version (only its description may still change).
CREATE TRIGGER IF NOT EXISTS datasets_frozen_after_version BEFORE UPDATE ON datasets
WHEN EXISTS (SELECT 1 FROM dataset_versions WHERE dataset_id = OLD.dataset_id)
 AND (NEW.dataset_id IS NOT OLD.dataset_id OR NEW.name IS NOT OLD.name OR NEW.governance_label IS NOT OLD.governance_label
      OR NEW.owner IS NOT OLD.owner OR NEW.created_at IS NOT OLD.created_at)
BEGIN
    SELECT RAISE(ABORT, 'datasets are immutable after version creation: create a new dataset');
END;
CREATE TABLE IF NOT EXISTS feature_views (
    view_id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    version_id TEXT NOT NULL REFERENCES dataset_versions(version_id),
    features_json TEXT NOT NULL CHECK (json_valid(features_json) AND json_type(features_json) = 'array'),
    transform_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(transform_json)),
    serving_uri TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_feature_views_version ON feature_views(version_id);

CREATE TABLE IF NOT EXISTS label_policies (
    policy_id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    rubric_json TEXT NOT NULL CHECK (json_valid(rubric_json)),
    labelers_per_item INTEGER NOT NULL DEFAULT 1 CHECK (labelers_per_item >= 1),
    min_agreement REAL NOT NULL DEFAULT 0.8 CHECK (min_agreement BETWEEN 0 AND 1),
    gold_check_rate REAL NOT NULL DEFAULT 0 CHECK (gold_check_rate BETWEEN 0 AND 1),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE TABLE IF NOT EXISTS label_tasks (
    task_id TEXT PRIMARY KEY,
    policy_id TEXT NOT NULL REFERENCES label_policies(policy_id),
    dataset_id TEXT NOT NULL REFERENCES datasets(dataset_id),
    item_ref TEXT NOT NULL,
    assignee TEXT,
    priority REAL NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'assigned', 'completed', 'skipped')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    completed_at TEXT
);
CREATE INDEX IF NOT EXISTS idx_label_tasks_queue ON label_tasks(status, priority DESC);
CREATE INDEX IF NOT EXISTS idx_label_tasks_dataset ON label_tasks(dataset_id, item_ref);
CREATE TABLE IF NOT EXISTS labels (
    label_id TEXT PRIMARY KEY,
    task_id TEXT NOT NULL REFERENCES label_tasks(task_id) ON DELETE CASCADE,
    labeler TEXT NOT NULL,
    label_json TEXT NOT NULL CHECK (json_valid(label_json)),
    confidence REAL CHECK (confidence IS NULL OR confidence BETWEEN 0 AND 1),
    agreement REAL CHECK (agreement IS NULL OR agreement BETWEEN 0 AND 1),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    UNIQUE (task_id, labeler)
);

CREATE TABLE IF NOT EXISTS active_queries (
    query_id TEXT PRIMARY KEY,
    dataset_id TEXT NOT NULL REFERENCES datasets(dataset_id),
    strategy TEXT NOT NULL CHECK (strategy IN ('uncertainty', 'diversity', 'expected_model_change', 'committee', 'random')),
    budget INTEGER NOT NULL CHECK (budget >= 1),
    params_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(params_json)),
    selected_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(selected_json) AND json_type(selected_json) = 'array'),
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'selected', 'labeled', 'cancelled')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_active_queries_dataset ON active_queries(dataset_id, status);
CREATE TABLE IF NOT EXISTS curriculum_specs (
    spec_id TEXT PRIMARY KEY,
    dataset_id TEXT NOT NULL REFERENCES datasets(dataset_id),
    name TEXT NOT NULL,
    ordering TEXT NOT NULL DEFAULT 'easy_to_hard' CHECK (ordering IN ('easy_to_hard', 'hard_to_easy', 'random', 'custom')),
    rules_json TEXT NOT NULL CHECK (json_valid(rules_json)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE TABLE IF NOT EXISTS augment_specs (
    spec_id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    pipeline_json TEXT NOT NULL CHECK (json_valid(pipeline_json) AND json_type(pipeline_json) = 'array'),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE TABLE IF NOT EXISTS augment_applications (
    application_id TEXT PRIMARY KEY,
    spec_id TEXT NOT NULL REFERENCES augment_specs(spec_id),
    input_version_id TEXT NOT NULL REFERENCES dataset_versions(version_id),
    output_version_id TEXT REFERENCES dataset_versions(version_id),
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'completed', 'failed')),
    samples_generated INTEGER NOT NULL DEFAULT 0 CHECK (samples_generated >= 0),
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_augment_applications_spec ON augment_applications(spec_id, applied_at);

CREATE TABLE IF NOT EXISTS quality_reports (
    report_id TEXT PRIMARY KEY,
    dataset_id TEXT NOT NULL REFERENCES datasets(dataset_id),
    version_id TEXT REFERENCES dataset_versions(version_id),
    report_type TEXT NOT NULL CHECK (report_type IN ('leakage', 'bias', 'drift', 'coverage', 'label_noise')),
    severity TEXT NOT NULL DEFAULT 'info' CHECK (severity IN ('info', 'warning', 'critical')),
    drift_psi REAL CHECK (drift_psi IS NULL OR drift_psi >= 0),
    coverage_ratio REAL CHECK (coverage_ratio IS NULL OR coverage_ratio BETWEEN 0 AND 1),
    findings_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(findings_json)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_quality_reports_dataset ON quality_reports(dataset_id, report_type, created_at);
CREATE TABLE IF NOT EXISTS weak_labelers (
    labeler_id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('rule', 'model', 'heuristic', 'external')),
    definition_json TEXT NOT NULL CHECK (json_valid(definition_json)),
    accuracy_estimate REAL CHECK (accuracy_estimate IS NULL OR accuracy_estimate BETWEEN 0 AND 1),
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE TABLE IF NOT EXISTS weak_predictions (
    id INTEGER PRIMARY KEY,
    labeler_id TEXT NOT NULL REFERENCES weak_labelers(labeler_id) ON DELETE CASCADE,
    dataset_id TEXT NOT NULL REFERENCES datasets(dataset_id),
    item_ref TEXT NOT NULL,
    label TEXT,                                    -- NULL = the labeler abstained
    confidence REAL CHECK (confidence IS NULL OR confidence BETWEEN 0 AND 1),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    UNIQUE (labeler_id, dataset_id, item_ref)
);
CREATE INDEX IF NOT EXISTS idx_weak_predictions_item ON weak_predictions(dataset_id, item_ref);
CREATE TABLE IF NOT EXISTS learning_experiences (
    experience_id TEXT PRIMARY KEY,
    dataset_id TEXT REFERENCES datasets(dataset_id) ON DELETE SET NULL,
    kind TEXT NOT NULL CHECK (kind IN ('label_agreement', 'drift', 'coverage', 'training_run', 'other')),
    payload_json TEXT NOT NULL CHECK (json_valid(payload_json)),
    value REAL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_learning_experiences_kind ON learning_experiences(kind, created_at);
-- down
DROP TABLE IF EXISTS learning_experiences;
DROP TABLE IF EXISTS weak_predictions;
DROP TABLE IF EXISTS weak_labelers;
DROP TABLE IF EXISTS quality_reports;
DROP TABLE IF EXISTS augment_applications;
DROP TABLE IF EXISTS augment_specs;
DROP TABLE IF EXISTS curriculum_specs;
DROP TABLE IF EXISTS active_queries;
DROP TABLE IF EXISTS labels;
DROP TABLE IF EXISTS label_tasks;
DROP TABLE IF EXISTS label_policies;
DROP TABLE IF EXISTS feature_views;
DROP TABLE IF EXISTS dataset_versions;
DROP TABLE IF EXISTS datasets;

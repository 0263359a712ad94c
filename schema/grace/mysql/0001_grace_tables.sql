-- grace on MySQL / MariaDB (used by scripts/build_all_tables.py --db mysql): all 81 tables,
-- the three reused core ones (structured_memory, chain_verification, governance_decisions)
-- included. Generated once from the SQLite schema and reviewed; types by meaning: JSON text ->
-- JSON (MariaDB checks validity; json_type checks kept, uppercase), timestamp text -> DATETIME(3)
-- (UTC), keyed/indexed text -> VARCHAR(255), other text -> TEXT, INTEGER -> BIGINT (0/1 flags keep
-- their CHECK), REAL -> DOUBLE, BLOB -> LONGBLOB, rowid keys -> AUTO_INCREMENT. Partial indexes
-- become whole-column indexes; the partial unique index "one open degradation per component"
-- has no equivalent and is left out. The librarian's full-text index is a FULLTEXT index.
-- Statements end with ';' (triggers with '//' between DELIMITER lines, as the mysql client reads).
CREATE TABLE IF NOT EXISTS chain_verification (    `id` BIGINT AUTO_INCREMENT PRIMARY KEY,
    `verified_at` DATETIME(3) NOT NULL,
    `tier` TEXT NOT NULL CHECK (`tier` IN ('tier0', 'tier1', 'tier2', 'tier3')),
    `ok` BIGINT NOT NULL CHECK (`ok` IN (0, 1)),
    `rows_checked` BIGINT NOT NULL,
    `head_position` BIGINT,
    `head_hash` TEXT,
    `first_bad_position` BIGINT,
    `problem` TEXT,
    `duration_ms` DOUBLE NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_chain_verification_time ON chain_verification(`verified_at` DESC);
CREATE TABLE IF NOT EXISTS governance_decisions (    `id` BIGINT AUTO_INCREMENT PRIMARY KEY,
    `decision_id` VARCHAR(255) NOT NULL UNIQUE,
    `decision_type` TEXT NOT NULL,
    `subject` VARCHAR(255) NOT NULL,
    `decision` TEXT NOT NULL CHECK (`decision` IN ('approved', 'rejected', 'deferred', 'revoked')),
    `risk_level` TEXT NOT NULL DEFAULT 'low' CHECK (`risk_level` IN ('low', 'medium', 'high', 'critical')),
    `rationale` TEXT,
    `decided_by` TEXT NOT NULL,
    `supersedes` TEXT,
    `metadata` JSON NOT NULL DEFAULT '{}',
    `decided_at` DATETIME(3) NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_governance_decisions_subject ON governance_decisions(`subject`, `decided_at` DESC);
CREATE TABLE IF NOT EXISTS log_categories (    `category` VARCHAR(255) PRIMARY KEY CHECK (length(`category`) BETWEEN 1 AND 100),
    `description` TEXT,
    `entry_count` BIGINT NOT NULL DEFAULT 0 CHECK (`entry_count` >= 0),
    `last_entry_at` DATETIME(3),
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE TABLE IF NOT EXISTS audit_logs (    `entry_id` VARCHAR(255) PRIMARY KEY,
    `category` VARCHAR(255) NOT NULL REFERENCES log_categories(`category`),
    `data_json` JSON NOT NULL,
    `transparency_level` TEXT NOT NULL DEFAULT 'internal' CHECK (`transparency_level` IN ('public', 'internal', 'restricted')),
    `timestamp` DATETIME(3) NOT NULL,
    `hash` TEXT NOT NULL CHECK (length(`hash`) = 64),
    `previous_hash` TEXT,
    `chain_hash` TEXT,
    `chain_position` BIGINT UNIQUE,
    `verified` BIGINT NOT NULL DEFAULT 0 CHECK (`verified` IN (0, 1))
);
CREATE INDEX IF NOT EXISTS idx_audit_logs_category_time ON audit_logs(`category`, `timestamp`);
CREATE INDEX IF NOT EXISTS idx_audit_logs_time ON audit_logs(`timestamp`);
CREATE INDEX IF NOT EXISTS idx_audit_logs_unsealed ON audit_logs(`entry_id`);
CREATE TABLE IF NOT EXISTS policies (    `policy_id` VARCHAR(255) PRIMARY KEY,
    `name` VARCHAR(255) NOT NULL UNIQUE,
    `policy_type` VARCHAR(255) NOT NULL CHECK (`policy_type` IN ('security', 'governance', 'performance', 'resilience', 'data')),
    `rules_json` JSON NOT NULL DEFAULT '{}',
    `enforcement` VARCHAR(255) NOT NULL DEFAULT 'enforce' CHECK (`enforcement` IN ('enforce', 'warn', 'disabled')),
    `version` BIGINT NOT NULL DEFAULT 1 CHECK (`version` >= 1),
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updated_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_policies_type ON policies(`policy_type`, `enforcement`);
CREATE TABLE IF NOT EXISTS structured_memory (    `namespace` VARCHAR(255) NOT NULL DEFAULT 'default',
    `key` VARCHAR(255) NOT NULL,
    `value_type` TEXT NOT NULL CHECK (`value_type` IN ('json', 'bytes')),
    `value` LONGBLOB NOT NULL,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updated_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `expires_at` DOUBLE,
    `access_count` BIGINT NOT NULL DEFAULT 0 CHECK (`access_count` >= 0),
    `last_accessed` DATETIME(3),
    PRIMARY KEY (`namespace`, `key`)
);
CREATE INDEX IF NOT EXISTS idx_structured_memory_expires ON structured_memory(`expires_at`);
CREATE TABLE IF NOT EXISTS instance_states (    `instance_id` VARCHAR(255) PRIMARY KEY,
    `component` VARCHAR(255) NOT NULL,
    `state` VARCHAR(255) NOT NULL CHECK (`state` IN ('starting', 'running', 'degraded', 'stopped', 'failed')),
    `state_json` JSON NOT NULL DEFAULT '{}',
    `heartbeat_interval_seconds` DOUBLE NOT NULL DEFAULT 30 CHECK (`heartbeat_interval_seconds` > 0),
    `last_heartbeat_at` DATETIME(3),
    `started_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updated_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_instance_states_component ON instance_states(`component`, `state`);
CREATE INDEX IF NOT EXISTS idx_instance_states_heartbeat ON instance_states(`last_heartbeat_at`);
CREATE TABLE IF NOT EXISTS lightning_memory (    `key` VARCHAR(255) PRIMARY KEY,
    `value` LONGBLOB NOT NULL,
    `content_type` TEXT NOT NULL DEFAULT 'application/json',
    `ttl_seconds` DOUBLE CHECK (`ttl_seconds` IS NULL OR `ttl_seconds` > 0),
    `access_count` BIGINT NOT NULL DEFAULT 0 CHECK (`access_count` >= 0),
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `last_accessed_at` DATETIME(3),
    `expires_at` DOUBLE
);
CREATE INDEX IF NOT EXISTS idx_lightning_memory_expires ON lightning_memory(`expires_at`);
CREATE TABLE IF NOT EXISTS orchestration_state (    `scope` VARCHAR(255) PRIMARY KEY,
    `state` TEXT NOT NULL,
    `context_json` JSON NOT NULL DEFAULT '{}',
    `updated_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE TABLE IF NOT EXISTS state_transitions (    `id` BIGINT AUTO_INCREMENT PRIMARY KEY,
    `scope` VARCHAR(255) NOT NULL REFERENCES orchestration_state(`scope`) ON DELETE CASCADE,
    `from_state` TEXT,
    `to_state` TEXT NOT NULL,
    `trigger` TEXT,
    `reason` TEXT,
    `transitioned_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_state_transitions_scope ON state_transitions(`scope`, `transitioned_at`);
CREATE TABLE IF NOT EXISTS orchestration_loops (    `loop_id` VARCHAR(255) PRIMARY KEY,
    `name` VARCHAR(255) NOT NULL UNIQUE,
    `phases_json` JSON NOT NULL CHECK (json_type(`phases_json`) = 'ARRAY' AND json_length(`phases_json`) = 7),
    `schedule` TEXT NOT NULL,
    `enabled` BIGINT NOT NULL DEFAULT 1 CHECK (`enabled` IN (0, 1)),
    `timeout_seconds` DOUBLE CHECK (`timeout_seconds` IS NULL OR `timeout_seconds` > 0),
    `last_run_at` DATETIME(3),
    `next_run_at` DATETIME(3),
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_orchestration_loops_due ON orchestration_loops(`next_run_at`);
CREATE TABLE IF NOT EXISTS orchestration_tasks (    `task_id` VARCHAR(255) PRIMARY KEY,
    `loop_id` VARCHAR(255) REFERENCES orchestration_loops(`loop_id`) ON DELETE SET NULL,
    `name` TEXT NOT NULL,
    `phase` TEXT,
    `status` VARCHAR(255) NOT NULL DEFAULT 'pending' CHECK (`status` IN ('pending', 'running', 'completed', 'failed', 'timed_out', 'rolled_back', 'cancelled')),
    `timeout_seconds` DOUBLE CHECK (`timeout_seconds` IS NULL OR `timeout_seconds` > 0),
    `rollback_json` JSON,
    `result_json` JSON,
    `error` TEXT,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `started_at` DATETIME(3),
    `finished_at` DATETIME(3)
);
CREATE INDEX IF NOT EXISTS idx_orchestration_tasks_status ON orchestration_tasks(`status`, `started_at`);
CREATE INDEX IF NOT EXISTS idx_orchestration_tasks_loop ON orchestration_tasks(`loop_id`, `created_at`);
CREATE TABLE IF NOT EXISTS circuit_breakers (    `component_name` VARCHAR(255) PRIMARY KEY,
    `state` VARCHAR(255) NOT NULL DEFAULT 'closed' CHECK (`state` IN ('closed', 'open', 'half_open')),
    `failure_count` BIGINT NOT NULL DEFAULT 0 CHECK (`failure_count` >= 0),
    `success_count` BIGINT NOT NULL DEFAULT 0 CHECK (`success_count` >= 0),
    `failure_threshold` BIGINT NOT NULL DEFAULT 5 CHECK (`failure_threshold` >= 1),
    `recovery_timeout_seconds` DOUBLE NOT NULL DEFAULT 60 CHECK (`recovery_timeout_seconds` > 0),
    `half_open_successes` BIGINT NOT NULL DEFAULT 1 CHECK (`half_open_successes` >= 1),
    `trip_count` BIGINT NOT NULL DEFAULT 0 CHECK (`trip_count` >= 0),
    `opened_at_epoch` DOUBLE,
    `last_failure_at` DATETIME(3),
    `updated_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_circuit_breakers_state ON circuit_breakers(`state`);
CREATE TABLE IF NOT EXISTS degradation_policies (    `policy_id` VARCHAR(255) PRIMARY KEY,
    `component` VARCHAR(255) NOT NULL,
    `level` VARCHAR(255) NOT NULL CHECK (`level` IN ('mild', 'moderate', 'severe')),
    `trigger_json` JSON NOT NULL DEFAULT '{}',
    `actions_json` JSON NOT NULL DEFAULT '[]' CHECK (json_type(`actions_json`) = 'ARRAY'),
    `enabled` BIGINT NOT NULL DEFAULT 1 CHECK (`enabled` IN (0, 1)),
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    UNIQUE (`component`, `level`)
);
CREATE TABLE IF NOT EXISTS active_degradations (    `id` BIGINT AUTO_INCREMENT PRIMARY KEY,
    `policy_id` VARCHAR(255) REFERENCES degradation_policies(`policy_id`) ON DELETE SET NULL,
    `component` VARCHAR(255) NOT NULL,
    `level` TEXT NOT NULL CHECK (`level` IN ('mild', 'moderate', 'severe')),
    `reason` TEXT,
    `started_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `ended_at` DATETIME(3)
);
CREATE TABLE IF NOT EXISTS resilience_incidents (    `incident_id` VARCHAR(255) PRIMARY KEY,
    `component` TEXT NOT NULL,
    `severity` VARCHAR(255) NOT NULL CHECK (`severity` IN ('low', 'medium', 'high', 'critical')),
    `status` VARCHAR(255) NOT NULL DEFAULT 'open' CHECK (`status` IN ('open', 'mitigating', 'resolved')),
    `title` TEXT NOT NULL,
    `details_json` JSON NOT NULL DEFAULT '{}',
    `opened_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `resolved_at` DATETIME(3)
);
CREATE INDEX IF NOT EXISTS idx_resilience_incidents_status ON resilience_incidents(`status`, `severity`);
CREATE TABLE IF NOT EXISTS recovery_actions (    `id` BIGINT AUTO_INCREMENT PRIMARY KEY,
    `incident_id` VARCHAR(255) REFERENCES resilience_incidents(`incident_id`) ON DELETE CASCADE,
    `component` TEXT NOT NULL,
    `action_type` TEXT NOT NULL CHECK (`action_type` IN ('restart', 'failover', 'rollback', 'scale', 'degrade', 'reset_breaker', 'other')),
    `status` TEXT NOT NULL DEFAULT 'pending' CHECK (`status` IN ('pending', 'running', 'succeeded', 'failed')),
    `attempt` BIGINT NOT NULL DEFAULT 1 CHECK (`attempt` >= 1),
    `details_json` JSON NOT NULL DEFAULT '{}',
    `started_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `finished_at` DATETIME(3)
);
CREATE INDEX IF NOT EXISTS idx_recovery_actions_incident ON recovery_actions(`incident_id`, `started_at`);
CREATE TABLE IF NOT EXISTS rate_limits (    `limit_key` VARCHAR(255) NOT NULL,
    `window_start_epoch` DOUBLE NOT NULL,
    `window_seconds` DOUBLE NOT NULL CHECK (`window_seconds` > 0),
    `max_requests` BIGINT NOT NULL CHECK (`max_requests` >= 1),
    `request_count` BIGINT NOT NULL DEFAULT 0 CHECK (`request_count` >= 0),
    PRIMARY KEY (`limit_key`, `window_start_epoch`)
);
CREATE TABLE IF NOT EXISTS intel_requests (    `request_id` VARCHAR(255) PRIMARY KEY,
    `task_type` TEXT NOT NULL,
    `input_json` JSON NOT NULL DEFAULT '{}',
    `constraints_json` JSON NOT NULL DEFAULT '{}',
    `risk_level` TEXT NOT NULL DEFAULT 'low' CHECK (`risk_level` IN ('low', 'medium', 'high', 'critical')),
    `governance_decision_id` TEXT,
    `status` VARCHAR(255) NOT NULL DEFAULT 'pending' CHECK (`status` IN ('pending', 'awaiting_approval', 'approved', 'rejected', 'planned', 'completed', 'failed')),
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `completed_at` DATETIME(3),
    CHECK (`risk_level` IN ('low', 'medium') OR `status` IN ('pending', 'awaiting_approval', 'rejected') OR `governance_decision_id` IS NOT NULL)
);
CREATE INDEX IF NOT EXISTS idx_intel_requests_status ON intel_requests(`status`, `created_at`);
CREATE TABLE IF NOT EXISTS intel_plans (    `plan_id` VARCHAR(255) PRIMARY KEY,
    `request_id` VARCHAR(255) NOT NULL REFERENCES intel_requests(`request_id`) ON DELETE CASCADE,
    `route_json` JSON NOT NULL DEFAULT '{}',
    `ensemble_json` JSON NOT NULL DEFAULT '[]',
    `governance_json` JSON NOT NULL DEFAULT '{}',
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_intel_plans_request ON intel_plans(`request_id`);
CREATE TABLE IF NOT EXISTS intel_results (    `result_id` VARCHAR(255) PRIMARY KEY,
    `request_id` VARCHAR(255) NOT NULL REFERENCES intel_requests(`request_id`) ON DELETE CASCADE,
    `plan_id` VARCHAR(255) REFERENCES intel_plans(`plan_id`) ON DELETE SET NULL,
    `output_json` JSON NOT NULL,
    `confidence` DOUBLE NOT NULL CHECK (`confidence` BETWEEN 0 AND 1),
    `calibration_error` DOUBLE NOT NULL CHECK (`calibration_error` >= 0),
    `variance` DOUBLE NOT NULL CHECK (`variance` >= 0),
    `entropy` DOUBLE NOT NULL CHECK (`entropy` >= 0),
    `explanation_json` JSON NOT NULL DEFAULT '{}',
    `latency_ms` DOUBLE CHECK (`latency_ms` IS NULL OR `latency_ms` >= 0),
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_intel_results_request ON intel_results(`request_id`);
CREATE TABLE IF NOT EXISTS intel_specialist_reports (    `report_id` VARCHAR(255) PRIMARY KEY,
    `specialist` VARCHAR(255) NOT NULL,
    `request_id` VARCHAR(255) REFERENCES intel_requests(`request_id`) ON DELETE SET NULL,
    `accuracy` DOUBLE CHECK (`accuracy` IS NULL OR `accuracy` BETWEEN 0 AND 1),
    `latency_ms` DOUBLE CHECK (`latency_ms` IS NULL OR `latency_ms` >= 0),
    `metrics_json` JSON NOT NULL DEFAULT '{}',
    `reported_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_intel_specialist_reports ON intel_specialist_reports(`specialist`, `reported_at`);
CREATE TABLE IF NOT EXISTS intel_experiences (    `experience_id` VARCHAR(255) PRIMARY KEY,
    `request_id` VARCHAR(255) REFERENCES intel_requests(`request_id`) ON DELETE SET NULL,
    `context_json` JSON NOT NULL DEFAULT '{}',
    `outcome_json` JSON NOT NULL DEFAULT '{}',
    `reward` DOUBLE,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_intel_experiences_time ON intel_experiences(`created_at`);
CREATE TABLE IF NOT EXISTS intel_canary_deployments (    `deployment_id` VARCHAR(255) PRIMARY KEY,
    `model_id` TEXT NOT NULL,
    `baseline_model_id` TEXT,
    `stage_percent` BIGINT NOT NULL DEFAULT 5 CHECK (`stage_percent` IN (5, 25, 50, 100)),
    `status` VARCHAR(255) NOT NULL DEFAULT 'running' CHECK (`status` IN ('running', 'paused', 'promoted', 'rolled_back')),
    `slo_json` JSON NOT NULL DEFAULT '{}',
    `rollback_reason` TEXT,
    `started_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updated_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_intel_canary_status ON intel_canary_deployments(`status`);
CREATE TABLE IF NOT EXISTS intel_shadow_deployments (    `deployment_id` VARCHAR(255) PRIMARY KEY,
    `primary_model_id` TEXT NOT NULL,
    `shadow_model_id` TEXT NOT NULL,
    `requests_compared` BIGINT NOT NULL DEFAULT 0 CHECK (`requests_compared` >= 0),
    `agreements` BIGINT NOT NULL DEFAULT 0 CHECK (`agreements` >= 0 AND `agreements` <= `requests_compared`),
    `status` TEXT NOT NULL DEFAULT 'running' CHECK (`status` IN ('running', 'completed', 'aborted')),
    `started_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `ended_at` DATETIME(3)
);
CREATE TABLE IF NOT EXISTS intel_policy_violations (    `violation_id` VARCHAR(255) PRIMARY KEY,
    `request_id` VARCHAR(255) REFERENCES intel_requests(`request_id`) ON DELETE SET NULL,
    `violation_type` VARCHAR(255) NOT NULL CHECK (`violation_type` IN ('confidence', 'calibration', 'fairness')),
    `metric_value` DOUBLE NOT NULL,
    `threshold` DOUBLE NOT NULL,
    `severity` TEXT NOT NULL DEFAULT 'medium' CHECK (`severity` IN ('low', 'medium', 'high', 'critical')),
    `details_json` JSON NOT NULL DEFAULT '{}',
    `detected_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_intel_policy_violations ON intel_policy_violations(`violation_type`, `detected_at`);
CREATE TABLE IF NOT EXISTS dlq_entries (    `entry_id` VARCHAR(255) PRIMARY KEY,
    `message_id` TEXT NOT NULL,
    `topic` TEXT NOT NULL,
    `payload_json` JSON NOT NULL,
    `error` TEXT,
    `attempts` BIGINT NOT NULL DEFAULT 0 CHECK (`attempts` >= 0),
    `max_attempts` BIGINT NOT NULL DEFAULT 5 CHECK (`max_attempts` >= 1),
    `next_retry_epoch` DOUBLE,
    `status` VARCHAR(255) NOT NULL DEFAULT 'pending' CHECK (`status` IN ('pending', 'retrying', 'resolved', 'dead')),
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updated_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_dlq_entries_due ON dlq_entries(`status`, `next_retry_epoch`);
CREATE TABLE IF NOT EXISTS message_dedupe (    `message_id` VARCHAR(255) PRIMARY KEY,
    `topic` TEXT NOT NULL,
    `first_seen_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `expires_at` DOUBLE NOT NULL,
    `seen_count` BIGINT NOT NULL DEFAULT 1 CHECK (`seen_count` >= 1)
);
CREATE INDEX IF NOT EXISTS idx_message_dedupe_expires ON message_dedupe(`expires_at`);
CREATE TABLE IF NOT EXISTS sources (    `source_id` VARCHAR(255) PRIMARY KEY,
    `name` VARCHAR(255) NOT NULL UNIQUE,
    `kind` TEXT NOT NULL CHECK (`kind` IN ('api', 'rss', 'file', 'stream', 'database', 'web', 'other')),
    `uri` TEXT,
    `auth_json` JSON NOT NULL DEFAULT '{}',
    `secrets_ref` TEXT,
    `schedule` TEXT,
    `governance_label` TEXT NOT NULL DEFAULT 'internal' CHECK (`governance_label` IN ('public', 'internal', 'restricted')),
    `pii_policy` TEXT NOT NULL DEFAULT 'mask' CHECK (`pii_policy` IN ('block', 'mask', 'hash', 'allow_with_consent')),
    `consent_granted` BIGINT NOT NULL DEFAULT 0 CHECK (`consent_granted` IN (0, 1)),
    `trust_score` DOUBLE NOT NULL DEFAULT 0.5 CHECK (`trust_score` BETWEEN 0 AND 1),
    `retention_days` BIGINT NOT NULL DEFAULT 365 CHECK (`retention_days` >= 1),
    `enabled` BIGINT NOT NULL DEFAULT 1 CHECK (`enabled` IN (0, 1)),
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updated_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE TABLE IF NOT EXISTS source_health (    `source_id` VARCHAR(255) PRIMARY KEY REFERENCES sources(`source_id`) ON DELETE CASCADE,
    `status` VARCHAR(255) NOT NULL DEFAULT 'unknown' CHECK (`status` IN ('healthy', 'degraded', 'down', 'unknown')),
    `consecutive_failures` BIGINT NOT NULL DEFAULT 0 CHECK (`consecutive_failures` >= 0),
    `latency_ms` DOUBLE CHECK (`latency_ms` IS NULL OR `latency_ms` >= 0),
    `last_success_at` DATETIME(3),
    `last_error_at` DATETIME(3),
    `last_error` TEXT,
    `checked_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_source_health_status ON source_health(`status`);
CREATE TABLE IF NOT EXISTS source_trust_history (    `id` BIGINT AUTO_INCREMENT PRIMARY KEY,
    `source_id` VARCHAR(255) NOT NULL REFERENCES sources(`source_id`) ON DELETE CASCADE,
    `trust_score` DOUBLE NOT NULL CHECK (`trust_score` BETWEEN 0 AND 1),
    `previous_score` DOUBLE CHECK (`previous_score` IS NULL OR `previous_score` BETWEEN 0 AND 1),
    `reason` TEXT,
    `recorded_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_source_trust_history ON source_trust_history(`source_id`, `recorded_at`);
CREATE TABLE IF NOT EXISTS bronze_raw_events (    `event_id` VARCHAR(255) PRIMARY KEY,
    `source_id` VARCHAR(255) NOT NULL REFERENCES sources(`source_id`),
    `content_uri` TEXT,
    `payload_json` JSON NOT NULL,
    `content_hash` TEXT NOT NULL,
    `pii_flags` JSON NOT NULL DEFAULT '[]' CHECK (json_type(`pii_flags`) = 'ARRAY'),
    `pii_action` TEXT NOT NULL DEFAULT 'none' CHECK (`pii_action` IN ('none', 'mask', 'hash', 'allow_with_consent')),
    `ingested_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_bronze_raw_events_source ON bronze_raw_events(`source_id`, `ingested_at`);
CREATE INDEX IF NOT EXISTS idx_bronze_raw_events_time ON bronze_raw_events(`ingested_at`);
CREATE TABLE IF NOT EXISTS silver_records (    `record_id` VARCHAR(255) PRIMARY KEY,
    `event_id` VARCHAR(255) REFERENCES bronze_raw_events(`event_id`) ON DELETE SET NULL,
    `source_id` VARCHAR(255) NOT NULL REFERENCES sources(`source_id`),
    `contract` TEXT NOT NULL DEFAULT 'generic' CHECK (`contract` IN ('article', 'transcript', 'tabular', 'generic')),
    `record_json` JSON,
    `record_zstd` LONGBLOB,
    `pii_flags` JSON NOT NULL DEFAULT '[]' CHECK (json_type(`pii_flags`) = 'ARRAY'),
    `pii_action` TEXT NOT NULL DEFAULT 'none' CHECK (`pii_action` IN ('none', 'mask', 'hash', 'allow_with_consent')),
    `transforms_json` JSON NOT NULL DEFAULT '[]' CHECK (json_type(`transforms_json`) = 'ARRAY'),
    `quality_score` DOUBLE CHECK (`quality_score` IS NULL OR `quality_score` BETWEEN 0 AND 1),
    `governance_label` TEXT NOT NULL DEFAULT 'internal' CHECK (`governance_label` IN ('public', 'internal', 'restricted')),
    `compressed` BIGINT NOT NULL DEFAULT 0 CHECK (`compressed` IN (0, 1)),
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    CHECK ((`compressed` = 0 AND `record_json` IS NOT NULL AND `record_zstd` IS NULL)
           OR (`compressed` = 1 AND `record_json` IS NULL AND `record_zstd` IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS idx_silver_records_source ON silver_records(`source_id`, `created_at`);
CREATE INDEX IF NOT EXISTS idx_silver_records_event ON silver_records(`event_id`);
CREATE TABLE IF NOT EXISTS silver_articles (    `record_id` VARCHAR(255) PRIMARY KEY REFERENCES silver_records(`record_id`) ON DELETE CASCADE,
    `title` TEXT NOT NULL,
    `author` TEXT,
    `published_at` DATETIME(3),
    `language` TEXT,
    `word_count` BIGINT CHECK (`word_count` IS NULL OR `word_count` >= 0),
    `content_uri` TEXT
);
CREATE TABLE IF NOT EXISTS silver_transcripts (    `record_id` VARCHAR(255) PRIMARY KEY REFERENCES silver_records(`record_id`) ON DELETE CASCADE,
    `media_uri` TEXT NOT NULL,
    `media_kind` TEXT NOT NULL DEFAULT 'audio' CHECK (`media_kind` IN ('audio', 'video')),
    `duration_seconds` DOUBLE CHECK (`duration_seconds` IS NULL OR `duration_seconds` >= 0),
    `language` TEXT,
    `speaker_count` BIGINT CHECK (`speaker_count` IS NULL OR `speaker_count` >= 0),
    `transcript_uri` TEXT
);
CREATE TABLE IF NOT EXISTS silver_tabular (    `record_id` VARCHAR(255) PRIMARY KEY REFERENCES silver_records(`record_id`) ON DELETE CASCADE,
    `schema_json` JSON NOT NULL,
    `row_count` BIGINT NOT NULL DEFAULT 0 CHECK (`row_count` >= 0),
    `column_count` BIGINT NOT NULL DEFAULT 0 CHECK (`column_count` >= 0),
    `data_uri` TEXT
);
CREATE TABLE IF NOT EXISTS gold_article_topics (    `id` BIGINT AUTO_INCREMENT PRIMARY KEY,
    `record_id` VARCHAR(255) NOT NULL REFERENCES silver_articles(`record_id`) ON DELETE CASCADE,
    `topic` VARCHAR(255) NOT NULL,
    `score` DOUBLE NOT NULL CHECK (`score` BETWEEN 0 AND 1),
    `model_id` TEXT,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    UNIQUE (`record_id`, `topic`)
);
CREATE INDEX IF NOT EXISTS idx_gold_article_topics_topic ON gold_article_topics(`topic`, `score` DESC);
CREATE TABLE IF NOT EXISTS gold_entity_mentions (    `id` BIGINT AUTO_INCREMENT PRIMARY KEY,
    `record_id` VARCHAR(255) NOT NULL REFERENCES silver_records(`record_id`) ON DELETE CASCADE,
    `entity_text` VARCHAR(255) NOT NULL,
    `entity_type` VARCHAR(255) NOT NULL,
    `entity_name` TEXT,
    `start_offset` BIGINT CHECK (`start_offset` IS NULL OR `start_offset` >= 0),
    `end_offset` BIGINT CHECK (`end_offset` IS NULL OR `end_offset` >= `start_offset`),
    `confidence` DOUBLE CHECK (`confidence` IS NULL OR `confidence` BETWEEN 0 AND 1),
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_gold_entity_mentions_entity ON gold_entity_mentions(`entity_type`, `entity_text`);
CREATE INDEX IF NOT EXISTS idx_gold_entity_mentions_record ON gold_entity_mentions(`record_id`);
CREATE TABLE IF NOT EXISTS gold_feature_datasets (    `feature_dataset_id` VARCHAR(255) PRIMARY KEY,
    `name` VARCHAR(255) NOT NULL,
    `version` BIGINT NOT NULL DEFAULT 1 CHECK (`version` >= 1),
    `feature_spec_json` JSON NOT NULL,
    `lineage_json` JSON NOT NULL DEFAULT '[]' CHECK (json_type(`lineage_json`) = 'ARRAY'),
    `row_count` BIGINT NOT NULL DEFAULT 0 CHECK (`row_count` >= 0),
    `storage_uri` TEXT,
    `governance_label` TEXT NOT NULL DEFAULT 'internal' CHECK (`governance_label` IN ('public', 'internal', 'restricted')),
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    UNIQUE (`name`, `version`)
);
CREATE TABLE IF NOT EXISTS validation_failures (    `id` BIGINT AUTO_INCREMENT PRIMARY KEY,
    `source_id` VARCHAR(255) REFERENCES sources(`source_id`) ON DELETE SET NULL,
    `event_id` TEXT,
    `stage` TEXT NOT NULL CHECK (`stage` IN ('bronze', 'silver', 'gold')),
    `failure_type` VARCHAR(255) NOT NULL CHECK (`failure_type` IN ('schema', 'pii', 'governance', 'quality')),
    `reason` TEXT NOT NULL,
    `details_json` JSON NOT NULL DEFAULT '{}',
    `failed_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_validation_failures_source ON validation_failures(`source_id`, `failed_at`);
CREATE INDEX IF NOT EXISTS idx_validation_failures_type ON validation_failures(`failure_type`, `failed_at`);
CREATE TABLE IF NOT EXISTS datasets (    `dataset_id` VARCHAR(255) PRIMARY KEY,
    `name` VARCHAR(255) NOT NULL UNIQUE,
    `description` TEXT,
    `owner` TEXT,
    `governance_label` TEXT NOT NULL DEFAULT 'internal' CHECK (`governance_label` IN ('public', 'internal', 'restricted')),
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE TABLE IF NOT EXISTS dataset_versions (    `version_id` VARCHAR(255) PRIMARY KEY,
    `dataset_id` VARCHAR(255) NOT NULL REFERENCES datasets(`dataset_id`),
    `version` BIGINT NOT NULL CHECK (`version` >= 1),
    `manifest_json` JSON NOT NULL,
    `content_hash` TEXT NOT NULL,
    `row_count` BIGINT NOT NULL DEFAULT 0 CHECK (`row_count` >= 0),
    `storage_uri` TEXT,
    `governance_label` TEXT NOT NULL DEFAULT 'internal' CHECK (`governance_label` IN ('public', 'internal', 'restricted')),
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    UNIQUE (`dataset_id`, `version`)
);
CREATE TABLE IF NOT EXISTS feature_views (    `view_id` VARCHAR(255) PRIMARY KEY,
    `name` VARCHAR(255) NOT NULL UNIQUE,
    `version_id` VARCHAR(255) NOT NULL REFERENCES dataset_versions(`version_id`),
    `features_json` JSON NOT NULL CHECK (json_type(`features_json`) = 'ARRAY'),
    `transform_json` JSON NOT NULL DEFAULT '{}',
    `serving_uri` TEXT,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_feature_views_version ON feature_views(`version_id`);
CREATE TABLE IF NOT EXISTS label_policies (    `policy_id` VARCHAR(255) PRIMARY KEY,
    `name` VARCHAR(255) NOT NULL UNIQUE,
    `rubric_json` JSON NOT NULL,
    `labelers_per_item` BIGINT NOT NULL DEFAULT 1 CHECK (`labelers_per_item` >= 1),
    `min_agreement` DOUBLE NOT NULL DEFAULT 0.8 CHECK (`min_agreement` BETWEEN 0 AND 1),
    `gold_check_rate` DOUBLE NOT NULL DEFAULT 0 CHECK (`gold_check_rate` BETWEEN 0 AND 1),
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE TABLE IF NOT EXISTS label_tasks (    `task_id` VARCHAR(255) PRIMARY KEY,
    `policy_id` VARCHAR(255) NOT NULL REFERENCES label_policies(`policy_id`),
    `dataset_id` VARCHAR(255) NOT NULL REFERENCES datasets(`dataset_id`),
    `item_ref` VARCHAR(255) NOT NULL,
    `assignee` TEXT,
    `priority` DOUBLE NOT NULL DEFAULT 0,
    `status` VARCHAR(255) NOT NULL DEFAULT 'pending' CHECK (`status` IN ('pending', 'assigned', 'completed', 'skipped')),
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `completed_at` DATETIME(3)
);
CREATE INDEX IF NOT EXISTS idx_label_tasks_queue ON label_tasks(`status`, `priority` DESC);
CREATE INDEX IF NOT EXISTS idx_label_tasks_dataset ON label_tasks(`dataset_id`, `item_ref`);
CREATE TABLE IF NOT EXISTS labels (    `label_id` VARCHAR(255) PRIMARY KEY,
    `task_id` VARCHAR(255) NOT NULL REFERENCES label_tasks(`task_id`) ON DELETE CASCADE,
    `labeler` VARCHAR(255) NOT NULL,
    `label_json` JSON NOT NULL,
    `confidence` DOUBLE CHECK (`confidence` IS NULL OR `confidence` BETWEEN 0 AND 1),
    `agreement` DOUBLE CHECK (`agreement` IS NULL OR `agreement` BETWEEN 0 AND 1),
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    UNIQUE (`task_id`, `labeler`)
);
CREATE TABLE IF NOT EXISTS active_queries (    `query_id` VARCHAR(255) PRIMARY KEY,
    `dataset_id` VARCHAR(255) NOT NULL REFERENCES datasets(`dataset_id`),
    `strategy` TEXT NOT NULL CHECK (`strategy` IN ('uncertainty', 'diversity', 'expected_model_change', 'committee', 'random')),
    `budget` BIGINT NOT NULL CHECK (`budget` >= 1),
    `params_json` JSON NOT NULL DEFAULT '{}',
    `selected_json` JSON NOT NULL DEFAULT '[]' CHECK (json_type(`selected_json`) = 'ARRAY'),
    `status` VARCHAR(255) NOT NULL DEFAULT 'pending' CHECK (`status` IN ('pending', 'selected', 'labeled', 'cancelled')),
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_active_queries_dataset ON active_queries(`dataset_id`, `status`);
CREATE TABLE IF NOT EXISTS curriculum_specs (    `spec_id` VARCHAR(255) PRIMARY KEY,
    `dataset_id` VARCHAR(255) NOT NULL REFERENCES datasets(`dataset_id`),
    `name` TEXT NOT NULL,
    `ordering` TEXT NOT NULL DEFAULT 'easy_to_hard' CHECK (`ordering` IN ('easy_to_hard', 'hard_to_easy', 'random', 'custom')),
    `rules_json` JSON NOT NULL,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE TABLE IF NOT EXISTS augment_specs (    `spec_id` VARCHAR(255) PRIMARY KEY,
    `name` VARCHAR(255) NOT NULL UNIQUE,
    `pipeline_json` JSON NOT NULL CHECK (json_type(`pipeline_json`) = 'ARRAY'),
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE TABLE IF NOT EXISTS augment_applications (    `application_id` VARCHAR(255) PRIMARY KEY,
    `spec_id` VARCHAR(255) NOT NULL REFERENCES augment_specs(`spec_id`),
    `input_version_id` VARCHAR(255) NOT NULL REFERENCES dataset_versions(version_id),
    `output_version_id` VARCHAR(255) REFERENCES dataset_versions(version_id),
    `status` TEXT NOT NULL DEFAULT 'pending' CHECK (`status` IN ('pending', 'running', 'completed', 'failed')),
    `samples_generated` BIGINT NOT NULL DEFAULT 0 CHECK (`samples_generated` >= 0),
    `applied_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_augment_applications_spec ON augment_applications(`spec_id`, `applied_at`);
CREATE TABLE IF NOT EXISTS quality_reports (    `report_id` VARCHAR(255) PRIMARY KEY,
    `dataset_id` VARCHAR(255) NOT NULL REFERENCES datasets(`dataset_id`),
    `version_id` VARCHAR(255) REFERENCES dataset_versions(`version_id`),
    `report_type` VARCHAR(255) NOT NULL CHECK (`report_type` IN ('leakage', 'bias', 'drift', 'coverage', 'label_noise')),
    `severity` TEXT NOT NULL DEFAULT 'info' CHECK (`severity` IN ('info', 'warning', 'critical')),
    `drift_psi` DOUBLE CHECK (`drift_psi` IS NULL OR `drift_psi` >= 0),
    `coverage_ratio` DOUBLE CHECK (`coverage_ratio` IS NULL OR `coverage_ratio` BETWEEN 0 AND 1),
    `findings_json` JSON NOT NULL DEFAULT '{}',
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_quality_reports_dataset ON quality_reports(`dataset_id`, `report_type`, `created_at`);
CREATE TABLE IF NOT EXISTS weak_labelers (    `labeler_id` VARCHAR(255) PRIMARY KEY,
    `name` VARCHAR(255) NOT NULL UNIQUE,
    `kind` TEXT NOT NULL CHECK (`kind` IN ('rule', 'model', 'heuristic', 'external')),
    `definition_json` JSON NOT NULL,
    `accuracy_estimate` DOUBLE CHECK (`accuracy_estimate` IS NULL OR `accuracy_estimate` BETWEEN 0 AND 1),
    `enabled` BIGINT NOT NULL DEFAULT 1 CHECK (`enabled` IN (0, 1)),
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE TABLE IF NOT EXISTS weak_predictions (    `id` BIGINT AUTO_INCREMENT PRIMARY KEY,
    `labeler_id` VARCHAR(255) NOT NULL REFERENCES weak_labelers(`labeler_id`) ON DELETE CASCADE,
    `dataset_id` VARCHAR(255) NOT NULL REFERENCES datasets(`dataset_id`),
    `item_ref` VARCHAR(255) NOT NULL,
    `label` TEXT,
    `confidence` DOUBLE CHECK (`confidence` IS NULL OR `confidence` BETWEEN 0 AND 1),
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    UNIQUE (`labeler_id`, `dataset_id`, `item_ref`)
);
CREATE INDEX IF NOT EXISTS idx_weak_predictions_item ON weak_predictions(`dataset_id`, `item_ref`);
CREATE TABLE IF NOT EXISTS learning_experiences (    `experience_id` VARCHAR(255) PRIMARY KEY,
    `dataset_id` VARCHAR(255) REFERENCES datasets(`dataset_id`) ON DELETE SET NULL,
    `kind` VARCHAR(255) NOT NULL CHECK (`kind` IN ('label_agreement', 'drift', 'coverage', 'training_run', 'other')),
    `payload_json` JSON NOT NULL,
    `value` DOUBLE,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_learning_experiences_kind ON learning_experiences(`kind`, `created_at`);
CREATE TABLE IF NOT EXISTS fusion_memory (    `entry_id` VARCHAR(255) PRIMARY KEY,
    `key` VARCHAR(255) NOT NULL UNIQUE,
    `content` LONGBLOB NOT NULL,
    `content_type` TEXT NOT NULL DEFAULT 'application/octet-stream',
    `size_bytes` BIGINT NOT NULL CHECK (`size_bytes` >= 0),
    `checksum` TEXT NOT NULL CHECK (length(`checksum`) = 64),
    `compressed` BIGINT NOT NULL DEFAULT 0 CHECK (`compressed` IN (0, 1)),
    `compression_type` TEXT CHECK (`compression_type` IN ('gzip', 'lz4', 'zstd')),
    `metadata` JSON NOT NULL DEFAULT '{}' CHECK (json_type(`metadata`) = 'OBJECT'),
    `tags` JSON NOT NULL DEFAULT '[]' CHECK (json_type(`tags`) = 'ARRAY'),
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updated_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `accessed_count` BIGINT NOT NULL DEFAULT 0 CHECK (`accessed_count` >= 0),
    `last_accessed_at` DATETIME(3),
    CHECK ((`compressed` = 0) = (`compression_type` IS NULL))
);
CREATE INDEX IF NOT EXISTS idx_fusion_memory_updated ON fusion_memory(`updated_at`);
CREATE TABLE IF NOT EXISTS librarian_index (    `id` BIGINT AUTO_INCREMENT PRIMARY KEY,
    `entry_key` VARCHAR(255) NOT NULL,
    `index_type` VARCHAR(255) NOT NULL CHECK (`index_type` IN ('content', 'semantic', 'tag')),
    `index_value` VARCHAR(255) NOT NULL,
    `weight` DOUBLE NOT NULL DEFAULT 1.0 CHECK (`weight` >= 0),
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updated_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    UNIQUE (`entry_key`, `index_type`, `index_value`)
);
CREATE INDEX IF NOT EXISTS idx_librarian_index_lookup ON librarian_index(`index_type`, `index_value`);
CREATE TABLE IF NOT EXISTS mlt_experiences (    `experience_id` VARCHAR(255) PRIMARY KEY,
    `source` VARCHAR(255) NOT NULL CHECK (`source` IN ('training', 'inference', 'governance', 'ops')),
    `signal_type` TEXT NOT NULL,
    `payload_json` JSON NOT NULL,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_mlt_experiences_source ON mlt_experiences(`source`, `created_at`);
CREATE TABLE IF NOT EXISTS mlt_insights (    `insight_id` VARCHAR(255) PRIMARY KEY,
    `insight_type` VARCHAR(255) NOT NULL CHECK (`insight_type` IN ('drift', 'bias', 'calibration', 'performance', 'anomaly')),
    `experience_ids_json` JSON NOT NULL DEFAULT '[]' CHECK (json_type(`experience_ids_json`) = 'ARRAY'),
    `confidence` DOUBLE NOT NULL CHECK (`confidence` BETWEEN 0 AND 1),
    `details_json` JSON NOT NULL DEFAULT '{}',
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_mlt_insights_type ON mlt_insights(`insight_type`, `created_at`);
CREATE TABLE IF NOT EXISTS mlt_plans (    `plan_id` VARCHAR(255) PRIMARY KEY,
    `insight_id` VARCHAR(255) REFERENCES mlt_insights(`insight_id`) ON DELETE SET NULL,
    `action` TEXT NOT NULL CHECK (`action` IN ('retrain', 'reweight', 'recalibrate', 'rollback', 'collect_data')),
    `status` VARCHAR(255) NOT NULL DEFAULT 'proposed' CHECK (`status` IN ('proposed', 'approved', 'executing', 'completed', 'rejected')),
    `governance_decision_id` TEXT,
    `steps_json` JSON NOT NULL DEFAULT '[]' CHECK (json_type(`steps_json`) = 'ARRAY'),
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updated_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    CHECK (`status` IN ('proposed', 'rejected') OR `governance_decision_id` IS NOT NULL)
);
CREATE INDEX IF NOT EXISTS idx_mlt_plans_status ON mlt_plans(`status`);
CREATE TABLE IF NOT EXISTS mlt_specialist_reports (    `report_id` VARCHAR(255) PRIMARY KEY,
    `specialist` VARCHAR(255) NOT NULL,
    `insight_id` VARCHAR(255) REFERENCES mlt_insights(`insight_id`) ON DELETE SET NULL,
    `score` DOUBLE CHECK (`score` IS NULL OR `score` BETWEEN 0 AND 1),
    `metrics_json` JSON NOT NULL DEFAULT '{}',
    `reported_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_mlt_specialist_reports ON mlt_specialist_reports(`specialist`, `reported_at`);
CREATE TABLE IF NOT EXISTS models (    `model_id` VARCHAR(255) PRIMARY KEY,
    `name` VARCHAR(255) NOT NULL,
    `version` VARCHAR(255) NOT NULL,
    `stage` VARCHAR(255) NOT NULL DEFAULT 'development' CHECK (`stage` IN ('development', 'staging', 'production')),
    `artifact_uri` TEXT,
    `metrics_json` JSON NOT NULL DEFAULT '{}',
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updated_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    UNIQUE (`name`, `version`)
);
CREATE INDEX IF NOT EXISTS idx_models_stage ON models(`stage`);
CREATE TABLE IF NOT EXISTS model_approvals (    `approval_id` VARCHAR(255) PRIMARY KEY,
    `model_id` VARCHAR(255) NOT NULL REFERENCES models(`model_id`),
    `target_stage` VARCHAR(255) NOT NULL CHECK (`target_stage` IN ('staging', 'production')),
    `approved` BIGINT NOT NULL CHECK (`approved` IN (0, 1)),
    `approver` TEXT NOT NULL,
    `governance_decision_id` TEXT,
    `reasons` TEXT,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_model_approvals_model ON model_approvals(`model_id`, `target_stage`);
CREATE TABLE IF NOT EXISTS model_deployments (    `deployment_id` VARCHAR(255) PRIMARY KEY,
    `model_id` VARCHAR(255) NOT NULL REFERENCES models(`model_id`),
    `baseline_model_id` VARCHAR(255) REFERENCES models(`model_id`),
    `environment` TEXT NOT NULL DEFAULT 'production',
    `traffic_percent` BIGINT NOT NULL DEFAULT 0 CHECK (`traffic_percent` BETWEEN 0 AND 100),
    `status` VARCHAR(255) NOT NULL DEFAULT 'canary' CHECK (`status` IN ('canary', 'active', 'rolled_back', 'retired')),
    `deployed_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updated_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_model_deployments_model ON model_deployments(`model_id`, `status`);
CREATE TABLE IF NOT EXISTS canary_progress (    `id` BIGINT AUTO_INCREMENT PRIMARY KEY,
    `deployment_id` VARCHAR(255) NOT NULL REFERENCES model_deployments(`deployment_id`) ON DELETE CASCADE,
    `stage_percent` BIGINT NOT NULL CHECK (`stage_percent` IN (5, 25, 50, 100)),
    `status` TEXT NOT NULL DEFAULT 'started' CHECK (`status` IN ('started', 'passed', 'failed', 'rolled_back')),
    `metrics_json` JSON NOT NULL DEFAULT '{}',
    `entered_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `completed_at` DATETIME(3),
    UNIQUE (`deployment_id`, `stage_percent`)
);
CREATE TABLE IF NOT EXISTS deployment_rollback_history (    `id` BIGINT AUTO_INCREMENT PRIMARY KEY,
    `deployment_id` VARCHAR(255) NOT NULL REFERENCES model_deployments(`deployment_id`) ON DELETE CASCADE,
    `from_percent` BIGINT NOT NULL CHECK (`from_percent` BETWEEN 0 AND 100),
    `reason` TEXT NOT NULL,
    `slo_violation_id` TEXT,
    `rolled_back_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_deployment_rollback_history ON deployment_rollback_history(`deployment_id`, `rolled_back_at`);
CREATE TABLE IF NOT EXISTS processing_metrics (    `id` BIGINT AUTO_INCREMENT PRIMARY KEY,
    `source_id` VARCHAR(255) NOT NULL,
    `stage` TEXT NOT NULL DEFAULT 'bronze' CHECK (`stage` IN ('bronze', 'silver', 'gold')),
    `granularity` TEXT NOT NULL DEFAULT 'raw' CHECK (`granularity` IN ('raw', 'hour', 'day')),
    `timestamp` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `records_in` BIGINT NOT NULL DEFAULT 0 CHECK (`records_in` >= 0),
    `records_out` BIGINT NOT NULL DEFAULT 0 CHECK (`records_out` >= 0),
    `throughput` DOUBLE CHECK (`throughput` IS NULL OR `throughput` >= 0),
    `error_rate` DOUBLE NOT NULL DEFAULT 0 CHECK (`error_rate` BETWEEN 0 AND 1),
    `latency_ms` DOUBLE CHECK (`latency_ms` IS NULL OR `latency_ms` >= 0),
    `trust_score` DOUBLE CHECK (`trust_score` IS NULL OR `trust_score` BETWEEN 0 AND 1),
    `samples` BIGINT NOT NULL DEFAULT 1 CHECK (`samples` >= 1)
);
CREATE INDEX IF NOT EXISTS idx_processing_metrics_time ON processing_metrics(`timestamp`, `source_id`);
CREATE INDEX IF NOT EXISTS idx_processing_metrics_source ON processing_metrics(`source_id`, `timestamp`);
CREATE TABLE IF NOT EXISTS sli_measurements (    `id` BIGINT AUTO_INCREMENT PRIMARY KEY,
    `component` VARCHAR(255) NOT NULL,
    `sli_type` VARCHAR(255) NOT NULL CHECK (`sli_type` IN ('latency', 'availability', 'error_rate', 'throughput')),
    `value` DOUBLE NOT NULL,
    `target` DOUBLE NOT NULL,
    `met` BIGINT NOT NULL CHECK (`met` IN (0, 1)),
    `measured_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_sli_measurements ON sli_measurements(`component`, `sli_type`, `measured_at`);
CREATE TABLE IF NOT EXISTS model_metrics (    `id` BIGINT AUTO_INCREMENT PRIMARY KEY,
    `model_id` VARCHAR(255) NOT NULL,
    `deployment_id` TEXT,
    `metric_name` VARCHAR(255) NOT NULL,
    `value` DOUBLE NOT NULL,
    `recorded_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_model_metrics ON model_metrics(`model_id`, `metric_name`, `recorded_at`);
CREATE TABLE IF NOT EXISTS slo_violations (    `violation_id` VARCHAR(255) PRIMARY KEY,
    `deployment_id` VARCHAR(255),
    `model_id` TEXT,
    `slo_name` TEXT NOT NULL,
    `observed` DOUBLE NOT NULL,
    `threshold` DOUBLE NOT NULL,
    `comparison` TEXT NOT NULL DEFAULT 'max' CHECK (`comparison` IN ('max', 'min')),
    `detected_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_slo_violations_deployment ON slo_violations(`deployment_id`, `detected_at`);
CREATE TABLE IF NOT EXISTS alerts (    `alert_id` VARCHAR(255) PRIMARY KEY,
    `source` TEXT NOT NULL,
    `severity` VARCHAR(255) NOT NULL CHECK (`severity` IN ('info', 'warning', 'critical')),
    `status` VARCHAR(255) NOT NULL DEFAULT 'open' CHECK (`status` IN ('open', 'acknowledged', 'resolved')),
    `title` TEXT NOT NULL,
    `details_json` JSON NOT NULL DEFAULT '{}',
    `slo_violation_id` VARCHAR(255) REFERENCES slo_violations(violation_id) ON DELETE SET NULL,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `resolved_at` DATETIME(3)
);
CREATE INDEX IF NOT EXISTS idx_alerts_status ON alerts(`status`, `severity`, `created_at`);
CREATE TABLE IF NOT EXISTS memory_access_patterns (    `memory_tier` VARCHAR(255) NOT NULL CHECK (`memory_tier` IN ('lightning', 'fusion', 'structured', 'librarian')),
    `key` VARCHAR(255) NOT NULL,
    `hour_bucket` VARCHAR(255) NOT NULL,
    `reads` BIGINT NOT NULL DEFAULT 0 CHECK (`reads` >= 0),
    `writes` BIGINT NOT NULL DEFAULT 0 CHECK (`writes` >= 0),
    `misses` BIGINT NOT NULL DEFAULT 0 CHECK (`misses` >= 0),
    PRIMARY KEY (`memory_tier`, `key`, `hour_bucket`)
);
CREATE INDEX IF NOT EXISTS idx_memory_access_patterns_hour ON memory_access_patterns(`hour_bucket`);
CREATE TABLE IF NOT EXISTS memory_stats (    `id` BIGINT AUTO_INCREMENT PRIMARY KEY,
    `memory_tier` VARCHAR(255) NOT NULL CHECK (`memory_tier` IN ('lightning', 'fusion', 'structured', 'librarian')),
    `entries` BIGINT NOT NULL CHECK (`entries` >= 0),
    `storage_bytes` BIGINT NOT NULL CHECK (`storage_bytes` >= 0),
    `cache_hit_rate` DOUBLE CHECK (`cache_hit_rate` IS NULL OR `cache_hit_rate` BETWEEN 0 AND 1),
    `avg_response_ms` DOUBLE CHECK (`avg_response_ms` IS NULL OR `avg_response_ms` >= 0),
    `recorded_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_memory_stats ON memory_stats(`memory_tier`, `recorded_at`);
CREATE TABLE IF NOT EXISTS memory_operations (    `id` BIGINT AUTO_INCREMENT PRIMARY KEY,
    `memory_tier` VARCHAR(255) NOT NULL CHECK (`memory_tier` IN ('lightning', 'fusion', 'structured', 'librarian')),
    `operation` TEXT NOT NULL CHECK (`operation` IN ('put', 'get', 'delete', 'expire', 'compress', 'snapshot', 'restore', 'cleanup')),
    `key` TEXT,
    `outcome` TEXT NOT NULL DEFAULT 'ok' CHECK (`outcome` IN ('ok', 'miss', 'error')),
    `detail` TEXT,
    `occurred_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_memory_operations ON memory_operations(`memory_tier`, `occurred_at`);
CREATE TABLE IF NOT EXISTS memory_cleanup_tasks (    `task_id` VARCHAR(255) PRIMARY KEY,
    `memory_tier` TEXT NOT NULL CHECK (`memory_tier` IN ('lightning', 'fusion', 'structured', 'librarian')),
    `task_type` TEXT NOT NULL CHECK (`task_type` IN ('expire', 'compact', 'evict', 'reindex', 'vacuum')),
    `schedule` TEXT,
    `status` VARCHAR(255) NOT NULL DEFAULT 'scheduled' CHECK (`status` IN ('scheduled', 'running', 'completed', 'failed')),
    `due_at` DATETIME(3) NOT NULL,
    `last_run_at` DATETIME(3),
    `affected` BIGINT NOT NULL DEFAULT 0 CHECK (`affected` >= 0),
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_memory_cleanup_tasks_due ON memory_cleanup_tasks(`status`, `due_at`);
CREATE TABLE IF NOT EXISTS memory_snapshots (    `snapshot_id` VARCHAR(255) PRIMARY KEY,
    `reason` TEXT,
    `state_json` JSON NOT NULL,
    `checksum` TEXT NOT NULL CHECK (length(`checksum`) = 64),
    `created_by` TEXT,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_memory_snapshots_time ON memory_snapshots(`created_at`);
CREATE TABLE IF NOT EXISTS resilience_snapshots (    `snapshot_id` VARCHAR(255) PRIMARY KEY,
    `reason` TEXT,
    `state_json` JSON NOT NULL,
    `checksum` TEXT NOT NULL CHECK (length(`checksum`) = 64),
    `created_by` TEXT,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_resilience_snapshots_time ON resilience_snapshots(`created_at`);
CREATE TABLE IF NOT EXISTS intel_snapshots (    `snapshot_id` VARCHAR(255) PRIMARY KEY,
    `reason` TEXT,
    `state_json` JSON NOT NULL,
    `checksum` TEXT NOT NULL CHECK (length(`checksum`) = 64),
    `created_by` TEXT,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_intel_snapshots_time ON intel_snapshots(`created_at`);
CREATE TABLE IF NOT EXISTS learning_snapshots (    `snapshot_id` VARCHAR(255) PRIMARY KEY,
    `reason` TEXT,
    `state_json` JSON NOT NULL,
    `checksum` TEXT NOT NULL CHECK (length(`checksum`) = 64),
    `created_by` TEXT,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_learning_snapshots_time ON learning_snapshots(`created_at`);
CREATE TABLE IF NOT EXISTS mlt_snapshots (    `snapshot_id` VARCHAR(255) PRIMARY KEY,
    `reason` TEXT,
    `state_json` JSON NOT NULL,
    `checksum` TEXT NOT NULL CHECK (length(`checksum`) = 64),
    `created_by` TEXT,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_mlt_snapshots_time ON mlt_snapshots(`created_at`);
CREATE TABLE IF NOT EXISTS snapshots (    `snapshot_id` VARCHAR(255) PRIMARY KEY,
    `component` VARCHAR(255) NOT NULL CHECK (`component` IN ('core', 'ingress', 'intelligence', 'learning', 'memory', 'orchestration',
                                                 'resilience', 'mlt', 'mldl', 'communications', 'common')),
    `scope` TEXT,
    `state_json` JSON NOT NULL,
    `checksum` TEXT NOT NULL CHECK (length(`checksum`) = 64),
    `size_bytes` BIGINT NOT NULL DEFAULT 0 CHECK (`size_bytes` >= 0),
    `created_by` TEXT,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS idx_snapshots_component ON snapshots(`component`, `created_at`);
CREATE TABLE IF NOT EXISTS rollback_history (    `id` BIGINT AUTO_INCREMENT PRIMARY KEY,
    `snapshot_id` VARCHAR(255) REFERENCES snapshots(`snapshot_id`) ON DELETE SET NULL,
    `component` VARCHAR(255) NOT NULL,
    `reason` TEXT NOT NULL,
    `status` TEXT NOT NULL DEFAULT 'started' CHECK (`status` IN ('started', 'completed', 'failed')),
    `started_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `completed_at` DATETIME(3)
);
CREATE INDEX IF NOT EXISTS idx_rollback_history ON rollback_history(`component`, `started_at`);

CREATE FULLTEXT INDEX IF NOT EXISTS idx_librarian_index_fts ON librarian_index (index_value);

DELIMITER //
CREATE TRIGGER IF NOT EXISTS audit_logs_append_only BEFORE UPDATE ON audit_logs FOR EACH ROW
BEGIN
    IF NOT (NEW.entry_id <=> OLD.entry_id AND NEW.category <=> OLD.category AND NEW.data_json <=> OLD.data_json
            AND NEW.transparency_level <=> OLD.transparency_level AND NEW.`timestamp` <=> OLD.`timestamp` AND NEW.hash <=> OLD.hash)
       OR (OLD.chain_position IS NOT NULL AND NOT (NEW.chain_position <=> OLD.chain_position
           AND NEW.chain_hash <=> OLD.chain_hash AND NEW.previous_hash <=> OLD.previous_hash)) THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_logs is append-only: entries cannot be changed (only sealed once into the audit chain)';
    END IF;
END//
CREATE TRIGGER IF NOT EXISTS audit_logs_no_delete BEFORE DELETE ON audit_logs FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_logs is append-only: entries cannot be deleted'//
CREATE TRIGGER IF NOT EXISTS audit_logs_category_stats AFTER INSERT ON audit_logs FOR EACH ROW
    UPDATE log_categories SET entry_count = entry_count + 1, last_entry_at = NEW.`timestamp` WHERE category = NEW.category//
CREATE TRIGGER IF NOT EXISTS governance_decisions_no_update BEFORE UPDATE ON governance_decisions FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'governance_decisions rows are immutable: record a new decision with supersedes set to this decision_id'//
CREATE TRIGGER IF NOT EXISTS governance_decisions_no_delete BEFORE DELETE ON governance_decisions FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'governance_decisions rows are immutable: record a new decision with supersedes set to this decision_id'//
CREATE TRIGGER IF NOT EXISTS dataset_versions_no_update BEFORE UPDATE ON dataset_versions FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'dataset_versions rows are immutable: create a new version of the dataset'//
CREATE TRIGGER IF NOT EXISTS dataset_versions_no_delete BEFORE DELETE ON dataset_versions FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'dataset_versions rows are immutable: create a new version of the dataset'//
CREATE TRIGGER IF NOT EXISTS datasets_frozen_after_version BEFORE UPDATE ON datasets FOR EACH ROW
BEGIN
    IF EXISTS (SELECT 1 FROM dataset_versions WHERE dataset_id = OLD.dataset_id)
       AND NOT (NEW.dataset_id <=> OLD.dataset_id AND NEW.name <=> OLD.name AND NEW.governance_label <=> OLD.governance_label
                AND NEW.owner <=> OLD.owner AND NEW.created_at <=> OLD.created_at) THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'datasets are immutable after version creation: create a new dataset';
    END IF;
END//
CREATE TRIGGER IF NOT EXISTS model_approvals_no_update BEFORE UPDATE ON model_approvals FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'model_approvals rows are immutable: record a new approval'//
CREATE TRIGGER IF NOT EXISTS model_approvals_no_delete BEFORE DELETE ON model_approvals FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'model_approvals rows are immutable: record a new approval'//
CREATE TRIGGER IF NOT EXISTS models_insert_production_needs_approval BEFORE INSERT ON models FOR EACH ROW
BEGIN
    IF NEW.stage = 'production' THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'models: register in development or staging; production needs an approval first';
    END IF;
END//
CREATE TRIGGER IF NOT EXISTS models_production_needs_approval BEFORE UPDATE ON models FOR EACH ROW
BEGIN
    IF NEW.stage = 'production' AND NOT (OLD.stage <=> 'production') AND NOT EXISTS (
        SELECT 1 FROM model_approvals WHERE model_id = NEW.model_id AND target_stage = 'production' AND approved = 1) THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'models: production needs an approved model_approvals row (governance approval) first';
    END IF;
END//
CREATE TRIGGER IF NOT EXISTS bronze_raw_events_append_only BEFORE UPDATE ON bronze_raw_events FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'bronze_raw_events is append-only: ingest a new event instead of changing one'//
CREATE TRIGGER IF NOT EXISTS memory_operations_append_only BEFORE UPDATE ON memory_operations FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'memory_operations is an append-only audit log'//
DELIMITER ;

-- grace/tier2: the ingress kernel's bronze / silver / gold data and its operational tables
-- (processing_metrics is a metric, so tier3). Content lives outside the store: tables hold URIs.
-- PII flags are JSON arrays of detector names; secrets are referenced (secrets_ref), never held.
CREATE TABLE IF NOT EXISTS sources (
    source_id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('api', 'rss', 'file', 'stream', 'database', 'web', 'other')),
    uri TEXT,
    auth_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(auth_json)),
    secrets_ref TEXT,
    schedule TEXT,
    governance_label TEXT NOT NULL DEFAULT 'internal' CHECK (governance_label IN ('public', 'internal', 'restricted')),
    pii_policy TEXT NOT NULL DEFAULT 'mask' CHECK (pii_policy IN ('block', 'mask', 'hash', 'allow_with_consent')),
    consent_granted INTEGER NOT NULL DEFAULT 0 CHECK (consent_granted IN (0, 1)),
    trust_score REAL NOT NULL DEFAULT 0.5 CHECK (trust_score BETWEEN 0 AND 1),
    retention_days INTEGER NOT NULL DEFAULT 365 CHECK (retention_days >= 1),
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE TABLE IF NOT EXISTS source_health (
    source_id TEXT PRIMARY KEY REFERENCES sources(source_id) ON DELETE CASCADE,
    status TEXT NOT NULL DEFAULT 'unknown' CHECK (status IN ('healthy', 'degraded', 'down', 'unknown')),
    consecutive_failures INTEGER NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    latency_ms REAL CHECK (latency_ms IS NULL OR latency_ms >= 0),
    last_success_at TEXT,
    last_error_at TEXT,
    last_error TEXT,
    checked_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_source_health_status ON source_health(status);
CREATE TABLE IF NOT EXISTS source_trust_history (
    id INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL REFERENCES sources(source_id) ON DELETE CASCADE,
    trust_score REAL NOT NULL CHECK (trust_score BETWEEN 0 AND 1),
    previous_score REAL CHECK (previous_score IS NULL OR previous_score BETWEEN 0 AND 1),
    reason TEXT,
    recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_source_trust_history ON source_trust_history(source_id, recorded_at);

-- Bronze: append-only raw events (retention deletes whole rows past the source's retention_days).
CREATE TABLE IF NOT EXISTS bronze_raw_events (
    event_id TEXT PRIMARY KEY,
    source_id TEXT NOT NULL REFERENCES sources(source_id),
    content_uri TEXT,
    payload_json TEXT NOT NULL CHECK (json_valid(payload_json)),
    content_hash TEXT NOT NULL,
    pii_flags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(pii_flags) AND json_type(pii_flags) = 'array'),
    pii_action TEXT NOT NULL DEFAULT 'none' CHECK (pii_action IN ('none', 'mask', 'hash', 'allow_with_consent')),
    ingested_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_bronze_raw_events_source ON bronze_raw_events(source_id, ingested_at);
CREATE INDEX IF NOT EXISTS idx_bronze_raw_events_time ON bronze_raw_events(ingested_at);
CREATE TRIGGER IF NOT EXISTS bronze_raw_events_append_only BEFORE UPDATE ON bronze_raw_events
BEGIN
    SELECT RAISE(ABORT, 'bronze_raw_events is append-only: ingest a new event instead of changing one');
END;

-- Silver: normalized, validated records; lineage in transforms_json (array of applied transforms).
CREATE TABLE IF NOT EXISTS silver_records (
    record_id TEXT PRIMARY KEY,
    event_id TEXT REFERENCES bronze_raw_events(event_id) ON DELETE SET NULL,
    source_id TEXT NOT NULL REFERENCES sources(source_id),
    contract TEXT NOT NULL DEFAULT 'generic' CHECK (contract IN ('article', 'transcript', 'tabular', 'generic')),
    record_json TEXT CHECK (record_json IS NULL OR json_valid(record_json)),
    record_zstd BLOB,                              -- record_json zstd-compressed by retention after 90 days
    pii_flags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(pii_flags) AND json_type(pii_flags) = 'array'),
    pii_action TEXT NOT NULL DEFAULT 'none' CHECK (pii_action IN ('none', 'mask', 'hash', 'allow_with_consent')),
    transforms_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(transforms_json) AND json_type(transforms_json) = 'array'),
    quality_score REAL CHECK (quality_score IS NULL OR quality_score BETWEEN 0 AND 1),
    governance_label TEXT NOT NULL DEFAULT 'internal' CHECK (governance_label IN ('public', 'internal', 'restricted')),
    compressed INTEGER NOT NULL DEFAULT 0 CHECK (compressed IN (0, 1)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    CHECK ((compressed = 0 AND record_json IS NOT NULL AND record_zstd IS NULL)
           OR (compressed = 1 AND record_json IS NULL AND record_zstd IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS idx_silver_records_source ON silver_records(source_id, created_at);
CREATE INDEX IF NOT EXISTS idx_silver_records_event ON silver_records(event_id);
CREATE TABLE IF NOT EXISTS silver_articles (
    record_id TEXT PRIMARY KEY REFERENCES silver_records(record_id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    author TEXT,
    published_at TEXT,
    language TEXT,
    word_count INTEGER CHECK (word_count IS NULL OR word_count >= 0),
    content_uri TEXT
);
CREATE TABLE IF NOT EXISTS silver_transcripts (
    record_id TEXT PRIMARY KEY REFERENCES silver_records(record_id) ON DELETE CASCADE,
    media_uri TEXT NOT NULL,
    media_kind TEXT NOT NULL DEFAULT 'audio' CHECK (media_kind IN ('audio', 'video')),
    duration_seconds REAL CHECK (duration_seconds IS NULL OR duration_seconds >= 0),
    language TEXT,
    speaker_count INTEGER CHECK (speaker_count IS NULL OR speaker_count >= 0),
    transcript_uri TEXT
);
CREATE TABLE IF NOT EXISTS silver_tabular (
    record_id TEXT PRIMARY KEY REFERENCES silver_records(record_id) ON DELETE CASCADE,
    schema_json TEXT NOT NULL CHECK (json_valid(schema_json)),
    row_count INTEGER NOT NULL DEFAULT 0 CHECK (row_count >= 0),
    column_count INTEGER NOT NULL DEFAULT 0 CHECK (column_count >= 0),
    data_uri TEXT
);

-- Gold: curated topics, entity mentions and ML-ready feature datasets.
CREATE TABLE IF NOT EXISTS gold_article_topics (
    id INTEGER PRIMARY KEY,
    record_id TEXT NOT NULL REFERENCES silver_articles(record_id) ON DELETE CASCADE,
    topic TEXT NOT NULL,
    score REAL NOT NULL CHECK (score BETWEEN 0 AND 1),
    model_id TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    UNIQUE (record_id, topic)
);
CREATE INDEX IF NOT EXISTS idx_gold_article_topics_topic ON gold_article_topics(topic, score DESC);
CREATE TABLE IF NOT EXISTS gold_entity_mentions (
    id INTEGER PRIMARY KEY,
    record_id TEXT NOT NULL REFERENCES silver_records(record_id) ON DELETE CASCADE,
    entity_text TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_name TEXT,                              -- the knowledge graph entity (tier2.entities.name), if linked
    start_offset INTEGER CHECK (start_offset IS NULL OR start_offset >= 0),
    end_offset INTEGER CHECK (end_offset IS NULL OR end_offset >= start_offset),
    confidence REAL CHECK (confidence IS NULL OR confidence BETWEEN 0 AND 1),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_gold_entity_mentions_entity ON gold_entity_mentions(entity_type, entity_text);
CREATE INDEX IF NOT EXISTS idx_gold_entity_mentions_record ON gold_entity_mentions(record_id);
CREATE TABLE IF NOT EXISTS gold_feature_datasets (
    feature_dataset_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    feature_spec_json TEXT NOT NULL CHECK (json_valid(feature_spec_json)),
    lineage_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(lineage_json) AND json_type(lineage_json) = 'array'),
    row_count INTEGER NOT NULL DEFAULT 0 CHECK (row_count >= 0),
    storage_uri TEXT,
    governance_label TEXT NOT NULL DEFAULT 'internal' CHECK (governance_label IN ('public', 'internal', 'restricted')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    UNIQUE (name, version)
);

-- Schema / PII / governance violations; blocked events are recorded here, never stored in bronze.
CREATE TABLE IF NOT EXISTS validation_failures (
    id INTEGER PRIMARY KEY,
    source_id TEXT REFERENCES sources(source_id) ON DELETE SET NULL,
    event_id TEXT,
    stage TEXT NOT NULL CHECK (stage IN ('bronze', 'silver', 'gold')),
    failure_type TEXT NOT NULL CHECK (failure_type IN ('schema', 'pii', 'governance', 'quality')),
    reason TEXT NOT NULL,
    details_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details_json)),
    failed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS idx_validation_failures_source ON validation_failures(source_id, failed_at);
CREATE INDEX IF NOT EXISTS idx_validation_failures_type ON validation_failures(failure_type, failed_at);
-- down
DROP TABLE IF EXISTS validation_failures;
DROP TABLE IF EXISTS gold_feature_datasets;
DROP TABLE IF EXISTS gold_entity_mentions;
DROP TABLE IF EXISTS gold_article_topics;
DROP TABLE IF EXISTS silver_tabular;
DROP TABLE IF EXISTS silver_transcripts;
DROP TABLE IF EXISTS silver_articles;
DROP TABLE IF EXISTS silver_records;
DROP TABLE IF EXISTS bronze_raw_events;
DROP TABLE IF EXISTS source_trust_history;
DROP TABLE IF EXISTS source_health;
DROP TABLE IF EXISTS sources;

-- Retention policies (seed 001 "Retention & Archival Strategy Integration"), editable through
-- db.retention and `cortexdb retention`. One row per governed table; seed 001 rows are inserted by
-- cortexdb.lifecycle.retention.DEFAULT_POLICIES on first use (snapshots copy schema, not data).
--   action: delete | archive | keep_last_n | aggregate_then_drop | export_before_purge | cascade
--           | capacity (tier-1 conversation cap) | keep (report only)
--   max_age_days: rows older than this (by time_column) are over age
--   keep_last_n: keep_last_n keeps the newest N per partition_by; capacity keeps at most N live rows
--   time_kind: 'text' (timestamp text) or 'epoch' (REAL seconds, seed 001's workspace tables)
--   condition_json: equality filters on the table's own columns that a row must match to be acted on
--   options_json: action-specific settings (rollup group/measures, export filter, archive group)
CREATE TABLE IF NOT EXISTS retention_policies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    table_name TEXT NOT NULL UNIQUE,
    tier TEXT NOT NULL CHECK (tier IN ('tier0', 'tier1', 'tier2', 'tier3')),
    action TEXT NOT NULL CHECK (action IN ('delete', 'archive', 'keep_last_n', 'aggregate_then_drop',
                                            'export_before_purge', 'cascade', 'capacity', 'keep')),
    max_age_days REAL CHECK (max_age_days IS NULL OR max_age_days >= 0),
    keep_last_n INTEGER CHECK (keep_last_n IS NULL OR keep_last_n >= 0),
    partition_by TEXT,
    time_column TEXT,
    time_kind TEXT NOT NULL DEFAULT 'text' CHECK (time_kind IN ('text', 'epoch')),
    condition_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(condition_json)),
    options_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(options_json)),
    description TEXT,
    module TEXT NOT NULL DEFAULT 'cortex',
    enabled INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);

-- down
DROP TABLE IF EXISTS retention_policies;

-- cortex/tier0: retention gains the actions packs need: 'compress' (a column zstd-compressed into
-- a BLOB after an age) and 'downsample' (metric rows rolled up hourly, then daily); 'mark' is
-- accepted too, for the agency pack. SQLite cannot change a CHECK in place: the table is rebuilt
-- with its rows.
CREATE TABLE retention_policies_next (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    table_name TEXT NOT NULL UNIQUE,
    tier TEXT NOT NULL CHECK (tier IN ('tier0', 'tier1', 'tier2', 'tier3')),
    action TEXT NOT NULL CHECK (action IN ('delete', 'archive', 'keep_last_n', 'aggregate_then_drop',
                                            'export_before_purge', 'cascade', 'capacity', 'keep', 'mark',
                                            'compress', 'downsample')),
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
INSERT INTO retention_policies_next (id, table_name, tier, action, max_age_days, keep_last_n, partition_by, time_column, time_kind, condition_json, options_json, description, module, enabled, updated_at)
    SELECT id, table_name, tier, action, max_age_days, keep_last_n, partition_by, time_column, time_kind, condition_json, options_json, description, module, enabled, updated_at FROM retention_policies;
DROP TABLE retention_policies;
ALTER TABLE retention_policies_next RENAME TO retention_policies;
-- down
DELETE FROM retention_policies WHERE action IN ('compress', 'downsample');

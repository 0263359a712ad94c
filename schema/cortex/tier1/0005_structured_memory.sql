-- Seed 004's structured memory ("core memory for frequently accessed data: TTL support, access
-- counting"; the Grace lightning cache shares its shape): a key/value store per namespace.
-- value_type says how `value` is stored: 'json' = JSON text, 'bytes' = a BLOB.
-- expires_at is epoch seconds (REAL, like seed 001's epoch columns; NULL = never expires);
-- read it as a date with datetime(expires_at, 'unixepoch').
CREATE TABLE IF NOT EXISTS structured_memory (
    namespace TEXT NOT NULL DEFAULT 'default',
    key TEXT NOT NULL,
    value_type TEXT NOT NULL CHECK (value_type IN ('json', 'bytes')),
    value BLOB NOT NULL CHECK ((value_type = 'json' AND typeof(value) = 'text' AND json_valid(value))
                               OR (value_type = 'bytes' AND typeof(value) = 'blob')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    expires_at REAL,
    access_count INTEGER NOT NULL DEFAULT 0 CHECK (access_count >= 0),
    last_accessed TEXT,
    PRIMARY KEY (namespace, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idx_structured_memory_expires ON structured_memory(expires_at) WHERE expires_at IS NOT NULL;
-- down
DROP TABLE IF EXISTS structured_memory;

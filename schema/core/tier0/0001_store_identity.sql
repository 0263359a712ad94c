-- Store identity: one row saying which store this is, who made it, and its declared role.
CREATE TABLE IF NOT EXISTS store_identity (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    store_id TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    library_version TEXT NOT NULL,
    enabled_modules TEXT NOT NULL DEFAULT '["core","cortex"]' CHECK (json_valid(enabled_modules)),
    declared_role TEXT NOT NULL DEFAULT 'staging' CHECK (declared_role IN ('staging', 'prod', 'replica'))
);
-- down
DROP TABLE IF EXISTS store_identity;

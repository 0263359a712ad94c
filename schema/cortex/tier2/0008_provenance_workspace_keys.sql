-- cortex/tier2: stable keys for provenance links and workspace discoveries, so they can travel
-- between stores (sync) by something other than a local rowid.
-- Provenance links are facts recorded independently on each machine (the same link may be recorded
-- twice on purpose): each gets a uuid. SQLite cannot add a column with a random default in
-- place, so the table is rebuilt with its rows (ids kept, AUTOINCREMENT's high-water mark kept, so
-- an id is never reused after the rebuild either); governance tier2 0002 re-creates its audit
-- triggers.
CREATE TABLE provenance_links_next (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(16)))),  -- stable key across stores
    source_type TEXT NOT NULL,                   -- file|conversation|pattern|plugin
    source_ref TEXT NOT NULL,                    -- path or id
    target_type TEXT NOT NULL,
    target_ref TEXT NOT NULL,
    relation TEXT NOT NULL,                      -- generated|updated|referenced|archived_from
    confidence REAL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO provenance_links_next (id, uuid, source_type, source_ref, target_type, target_ref, relation, confidence,
                                   created_at)
    SELECT id, lower(hex(randomblob(16))), source_type, source_ref, target_type, target_ref, relation, confidence,
           created_at FROM provenance_links ORDER BY id;
UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'provenance_links'), 0))
    WHERE name = 'provenance_links_next';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'provenance_links_next', seq FROM sqlite_sequence WHERE name = 'provenance_links'
    AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'provenance_links_next');
DROP TABLE provenance_links;
ALTER TABLE provenance_links_next RENAME TO provenance_links;
CREATE INDEX IF NOT EXISTS idx_provenance_source ON provenance_links(source_type, source_ref);
CREATE INDEX IF NOT EXISTS idx_provenance_target ON provenance_links(target_type, target_ref);

-- Workspace discoveries are keyed by what was discovered: their UNIQUE columns, with NULLs
-- compared as equal (as db.workspace.record_* matches them). SQLite's UNIQUE lets rows that differ
-- only by NULLs through, so a unique index on the same columns with NULL mapped to an empty blob
-- (which equals no text or number) makes the natural key a real key. Rows written around the API
-- that duplicate a key are merged first: the most recently verified stays.
DELETE FROM workspace_databases WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER (
    PARTITION BY database_type, host, port, database_name
    ORDER BY coalesce(last_verified, discovered_at) DESC, id DESC) AS n FROM workspace_databases) WHERE n > 1);
DELETE FROM workspace_apis WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER (
    PARTITION BY api_type, base_url ORDER BY coalesce(last_verified, discovered_at) DESC, id DESC) AS n
    FROM workspace_apis) WHERE n > 1);
DELETE FROM workspace_frameworks WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER (
    PARTITION BY framework_type, config_location ORDER BY coalesce(last_verified, discovered_at) DESC, id DESC) AS n
    FROM workspace_frameworks) WHERE n > 1);
CREATE UNIQUE INDEX IF NOT EXISTS workspace_databases_key
    ON workspace_databases(database_type, ifnull(host, x''), ifnull(port, x''), ifnull(database_name, x''));
CREATE UNIQUE INDEX IF NOT EXISTS workspace_apis_key ON workspace_apis(api_type, base_url);
CREATE UNIQUE INDEX IF NOT EXISTS workspace_frameworks_key
    ON workspace_frameworks(framework_type, ifnull(config_location, x''));
-- down
DROP INDEX IF EXISTS workspace_frameworks_key;
DROP INDEX IF EXISTS workspace_apis_key;
DROP INDEX IF EXISTS workspace_databases_key;
CREATE TABLE provenance_links_prev (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source_type TEXT NOT NULL,
    source_ref TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_ref TEXT NOT NULL,
    relation TEXT NOT NULL,
    confidence REAL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO provenance_links_prev (id, source_type, source_ref, target_type, target_ref, relation, confidence, created_at)
    SELECT id, source_type, source_ref, target_type, target_ref, relation, confidence, created_at FROM provenance_links;
DROP TABLE provenance_links;
ALTER TABLE provenance_links_prev RENAME TO provenance_links;
CREATE INDEX IF NOT EXISTS idx_provenance_source ON provenance_links(source_type, source_ref);
CREATE INDEX IF NOT EXISTS idx_provenance_target ON provenance_links(target_type, target_ref);

-- Sync, local side, second step: provenance links and workspace discoveries flow too (cortex
-- tier2 0008 gave them stable keys). sync_side_dirty marks each changed row by its key (a link's
-- uuid; a discovery's UNIQUE columns as a JSON array), in the writing transaction, except while a
-- pull applies the authority's state (sync_state.applying). Removals are not marked: no public
-- call deletes these rows (an archive run moves them to tier 3, whose own flow carries them).
-- sync_side_state keeps the mark counter and the pull cursor of these tables; sync_link_pending
-- holds pulled links naming a graph entity this store does not hold yet.
CREATE TABLE IF NOT EXISTS sync_side_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    counter INTEGER NOT NULL DEFAULT 0,
    pulled_seq INTEGER NOT NULL DEFAULT 0
);
INSERT OR IGNORE INTO sync_side_state (id) VALUES (1);

CREATE TABLE IF NOT EXISTS sync_side_dirty (
    table_name TEXT NOT NULL,
    row_key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (table_name, row_key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sync_side_dirty_seq ON sync_side_dirty(seq);
-- Everything already held is pushed by the first push.
INSERT OR IGNORE INTO sync_side_dirty (table_name, row_key, seq) SELECT 'provenance_links', uuid, 0 FROM provenance_links;
INSERT OR IGNORE INTO sync_side_dirty (table_name, row_key, seq)
    SELECT 'workspace_databases', json_array(database_type, host, port, database_name), 0 FROM workspace_databases;
INSERT OR IGNORE INTO sync_side_dirty (table_name, row_key, seq)
    SELECT 'workspace_apis', json_array(api_type, base_url), 0 FROM workspace_apis;
INSERT OR IGNORE INTO sync_side_dirty (table_name, row_key, seq)
    SELECT 'workspace_frameworks', json_array(framework_type, config_location), 0 FROM workspace_frameworks;

CREATE TABLE IF NOT EXISTS sync_link_pending (
    uuid TEXT PRIMARY KEY,
    link TEXT NOT NULL                           -- the pulled link as JSON
) WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS sync_provenance_links_ins AFTER INSERT ON provenance_links
WHEN (SELECT applying FROM sync_state) = 0 BEGIN
    UPDATE sync_side_state SET counter = counter + 1;
    INSERT INTO sync_side_dirty (table_name, row_key, seq)
        VALUES ('provenance_links', new.uuid, (SELECT counter FROM sync_side_state))
        ON CONFLICT (table_name, row_key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER IF NOT EXISTS sync_workspace_databases_ins AFTER INSERT ON workspace_databases
WHEN (SELECT applying FROM sync_state) = 0 BEGIN
    UPDATE sync_side_state SET counter = counter + 1;
    INSERT INTO sync_side_dirty (table_name, row_key, seq) VALUES ('workspace_databases',
        json_array(new.database_type, new.host, new.port, new.database_name), (SELECT counter FROM sync_side_state))
        ON CONFLICT (table_name, row_key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER IF NOT EXISTS sync_workspace_databases_upd AFTER UPDATE ON workspace_databases
WHEN (SELECT applying FROM sync_state) = 0 BEGIN
    UPDATE sync_side_state SET counter = counter + 1;
    INSERT INTO sync_side_dirty (table_name, row_key, seq) VALUES ('workspace_databases',
        json_array(new.database_type, new.host, new.port, new.database_name), (SELECT counter FROM sync_side_state))
        ON CONFLICT (table_name, row_key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER IF NOT EXISTS sync_workspace_apis_ins AFTER INSERT ON workspace_apis
WHEN (SELECT applying FROM sync_state) = 0 BEGIN
    UPDATE sync_side_state SET counter = counter + 1;
    INSERT INTO sync_side_dirty (table_name, row_key, seq) VALUES ('workspace_apis',
        json_array(new.api_type, new.base_url), (SELECT counter FROM sync_side_state))
        ON CONFLICT (table_name, row_key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER IF NOT EXISTS sync_workspace_apis_upd AFTER UPDATE ON workspace_apis
WHEN (SELECT applying FROM sync_state) = 0 BEGIN
    UPDATE sync_side_state SET counter = counter + 1;
    INSERT INTO sync_side_dirty (table_name, row_key, seq) VALUES ('workspace_apis',
        json_array(new.api_type, new.base_url), (SELECT counter FROM sync_side_state))
        ON CONFLICT (table_name, row_key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER IF NOT EXISTS sync_workspace_frameworks_ins AFTER INSERT ON workspace_frameworks
WHEN (SELECT applying FROM sync_state) = 0 BEGIN
    UPDATE sync_side_state SET counter = counter + 1;
    INSERT INTO sync_side_dirty (table_name, row_key, seq) VALUES ('workspace_frameworks',
        json_array(new.framework_type, new.config_location), (SELECT counter FROM sync_side_state))
        ON CONFLICT (table_name, row_key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER IF NOT EXISTS sync_workspace_frameworks_upd AFTER UPDATE ON workspace_frameworks
WHEN (SELECT applying FROM sync_state) = 0 BEGIN
    UPDATE sync_side_state SET counter = counter + 1;
    INSERT INTO sync_side_dirty (table_name, row_key, seq) VALUES ('workspace_frameworks',
        json_array(new.framework_type, new.config_location), (SELECT counter FROM sync_side_state))
        ON CONFLICT (table_name, row_key) DO UPDATE SET seq = excluded.seq;
END;
-- down
DROP TRIGGER IF EXISTS sync_workspace_frameworks_upd;
DROP TRIGGER IF EXISTS sync_workspace_frameworks_ins;
DROP TRIGGER IF EXISTS sync_workspace_apis_upd;
DROP TRIGGER IF EXISTS sync_workspace_apis_ins;
DROP TRIGGER IF EXISTS sync_workspace_databases_upd;
DROP TRIGGER IF EXISTS sync_workspace_databases_ins;
DROP TRIGGER IF EXISTS sync_provenance_links_ins;
DROP TABLE IF EXISTS sync_link_pending;
DROP TABLE IF EXISTS sync_side_dirty;
DROP TABLE IF EXISTS sync_side_state;

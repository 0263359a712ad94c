-- Sync with a PostgreSQL authority, local side: which graph entities changed since the last push
-- (sync_dirty, one row per entity key), what was removed (sync_removed: the tombstones to send),
-- and the pull cursor. Triggers fill them in the writing transaction, except while a pull applies
-- the authority's state (sync_state.applying = 1), so pulled rows are not pushed back.
CREATE TABLE IF NOT EXISTS sync_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    authority_id TEXT,                           -- the authority this store syncs with, once it has
    pulled_seq INTEGER NOT NULL DEFAULT 0,       -- the authority's change number pulled up to
    applying INTEGER NOT NULL DEFAULT 0 CHECK (applying IN (0, 1)),
    counter INTEGER NOT NULL DEFAULT 0           -- numbers the sync_dirty marks
);
INSERT OR IGNORE INTO sync_state (id) VALUES (1);

CREATE TABLE IF NOT EXISTS sync_dirty (
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    seq INTEGER NOT NULL,                        -- a later change of the same entity raises it
    PRIMARY KEY (namespace, name)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sync_dirty_seq ON sync_dirty(seq);
-- A store that declares an authority for the first time pushes everything it already holds.
INSERT OR IGNORE INTO sync_dirty (namespace, name, seq) SELECT namespace, name, 0 FROM graph_entities;

-- removed_at: the removed row's own time (entity: updated_at; observation: created_at; tag: the
-- entity's updated_at). A removal removes what the remover saw; a later addition elsewhere survives.
CREATE TABLE IF NOT EXISTS sync_removed (
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    item_kind TEXT NOT NULL CHECK (item_kind IN ('entity', 'observation', 'tag')),
    item TEXT NOT NULL,                          -- '' for the entity, else the observation or tag
    removed_at TEXT NOT NULL,
    PRIMARY KEY (namespace, name, item_kind, item)
) WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS sync_entities_ins AFTER INSERT ON graph_entities
WHEN (SELECT applying FROM sync_state) = 0 BEGIN
    UPDATE sync_state SET counter = counter + 1;
    INSERT INTO sync_dirty (namespace, name, seq) VALUES (new.namespace, new.name, (SELECT counter FROM sync_state))
        ON CONFLICT (namespace, name) DO UPDATE SET seq = excluded.seq;
    DELETE FROM sync_removed WHERE namespace = new.namespace AND name = new.name AND item_kind = 'entity';
END;

CREATE TRIGGER IF NOT EXISTS sync_entities_upd AFTER UPDATE OF namespace, name, kind, properties, pinned, updated_at
ON graph_entities WHEN (SELECT applying FROM sync_state) = 0 BEGIN
    UPDATE sync_state SET counter = counter + 1;
    INSERT INTO sync_dirty (namespace, name, seq) VALUES (new.namespace, new.name, (SELECT counter FROM sync_state))
        ON CONFLICT (namespace, name) DO UPDATE SET seq = excluded.seq;
    INSERT INTO sync_dirty (namespace, name, seq)
        SELECT old.namespace, old.name, (SELECT counter FROM sync_state)
        WHERE old.namespace IS NOT new.namespace OR old.name IS NOT new.name
        ON CONFLICT (namespace, name) DO UPDATE SET seq = excluded.seq;
    INSERT OR REPLACE INTO sync_removed (namespace, name, item_kind, item, removed_at)
        SELECT old.namespace, old.name, 'entity', '', old.updated_at
        WHERE old.namespace IS NOT new.namespace OR old.name IS NOT new.name;
END;

CREATE TRIGGER IF NOT EXISTS sync_entities_del AFTER DELETE ON graph_entities
WHEN (SELECT applying FROM sync_state) = 0 BEGIN
    UPDATE sync_state SET counter = counter + 1;
    INSERT INTO sync_dirty (namespace, name, seq) VALUES (old.namespace, old.name, (SELECT counter FROM sync_state))
        ON CONFLICT (namespace, name) DO UPDATE SET seq = excluded.seq;
    INSERT OR REPLACE INTO sync_removed (namespace, name, item_kind, item, removed_at)
        VALUES (old.namespace, old.name, 'entity', '', old.updated_at);
END;

CREATE TRIGGER IF NOT EXISTS sync_observations_ins AFTER INSERT ON graph_observations
WHEN (SELECT applying FROM sync_state) = 0 BEGIN
    UPDATE sync_state SET counter = counter + 1;
    INSERT INTO sync_dirty (namespace, name, seq)
        SELECT namespace, name, (SELECT counter FROM sync_state) FROM graph_entities WHERE id = new.entity_id
        ON CONFLICT (namespace, name) DO UPDATE SET seq = excluded.seq;
    DELETE FROM sync_removed WHERE item_kind = 'observation' AND item = new.content
        AND (namespace, name) IN (SELECT namespace, name FROM graph_entities WHERE id = new.entity_id);
END;

CREATE TRIGGER IF NOT EXISTS sync_observations_del AFTER DELETE ON graph_observations
WHEN (SELECT applying FROM sync_state) = 0 BEGIN
    UPDATE sync_state SET counter = counter + 1;
    INSERT INTO sync_dirty (namespace, name, seq)
        SELECT namespace, name, (SELECT counter FROM sync_state) FROM graph_entities WHERE id = old.entity_id
        ON CONFLICT (namespace, name) DO UPDATE SET seq = excluded.seq;
    INSERT OR REPLACE INTO sync_removed (namespace, name, item_kind, item, removed_at)
        SELECT namespace, name, 'observation', old.content, old.created_at FROM graph_entities WHERE id = old.entity_id;
END;

CREATE TRIGGER IF NOT EXISTS sync_tags_ins AFTER INSERT ON graph_tags
WHEN (SELECT applying FROM sync_state) = 0 BEGIN
    UPDATE sync_state SET counter = counter + 1;
    INSERT INTO sync_dirty (namespace, name, seq)
        SELECT namespace, name, (SELECT counter FROM sync_state) FROM graph_entities WHERE id = new.entity_id
        ON CONFLICT (namespace, name) DO UPDATE SET seq = excluded.seq;
    DELETE FROM sync_removed WHERE item_kind = 'tag' AND item = new.tag
        AND (namespace, name) IN (SELECT namespace, name FROM graph_entities WHERE id = new.entity_id);
END;

CREATE TRIGGER IF NOT EXISTS sync_tags_del AFTER DELETE ON graph_tags
WHEN (SELECT applying FROM sync_state) = 0 BEGIN
    UPDATE sync_state SET counter = counter + 1;
    INSERT INTO sync_dirty (namespace, name, seq)
        SELECT namespace, name, (SELECT counter FROM sync_state) FROM graph_entities WHERE id = old.entity_id
        ON CONFLICT (namespace, name) DO UPDATE SET seq = excluded.seq;
    INSERT OR REPLACE INTO sync_removed (namespace, name, item_kind, item, removed_at)
        SELECT namespace, name, 'tag', old.tag, updated_at FROM graph_entities WHERE id = old.entity_id;
END;

CREATE TRIGGER IF NOT EXISTS sync_patterns_ins AFTER INSERT ON graph_patterns
WHEN (SELECT applying FROM sync_state) = 0 BEGIN
    UPDATE sync_state SET counter = counter + 1;
    INSERT INTO sync_dirty (namespace, name, seq)
        SELECT namespace, name, (SELECT counter FROM sync_state) FROM graph_entities WHERE id = new.id
        ON CONFLICT (namespace, name) DO UPDATE SET seq = excluded.seq;
END;

CREATE TRIGGER IF NOT EXISTS sync_patterns_upd AFTER UPDATE ON graph_patterns
WHEN (SELECT applying FROM sync_state) = 0 BEGIN
    UPDATE sync_state SET counter = counter + 1;
    INSERT INTO sync_dirty (namespace, name, seq)
        SELECT namespace, name, (SELECT counter FROM sync_state) FROM graph_entities WHERE id = new.id
        ON CONFLICT (namespace, name) DO UPDATE SET seq = excluded.seq;
END;

CREATE TRIGGER IF NOT EXISTS sync_relations_ins AFTER INSERT ON graph_relations
WHEN (SELECT applying FROM sync_state) = 0 BEGIN
    UPDATE sync_state SET counter = counter + 1;
    INSERT INTO sync_dirty (namespace, name, seq)
        SELECT namespace, name, (SELECT counter FROM sync_state) FROM graph_entities WHERE id = new.source_id
        ON CONFLICT (namespace, name) DO UPDATE SET seq = excluded.seq;
END;

CREATE TRIGGER IF NOT EXISTS sync_relations_upd AFTER UPDATE OF valid_to, ended_at ON graph_relations
WHEN (SELECT applying FROM sync_state) = 0 BEGIN
    UPDATE sync_state SET counter = counter + 1;
    INSERT INTO sync_dirty (namespace, name, seq)
        SELECT namespace, name, (SELECT counter FROM sync_state) FROM graph_entities WHERE id = new.source_id
        ON CONFLICT (namespace, name) DO UPDATE SET seq = excluded.seq;
END;

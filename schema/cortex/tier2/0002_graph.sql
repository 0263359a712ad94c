-- Knowledge graph (issue 4): namespaces, nodes (entities; patterns are entity rows with a
-- graph_patterns side row, so both are nodes of one graph), observations, tags, typed bitemporal
-- relations, the external-content FTS5 index kept in sync with the 'delete' command, the decay
-- log, and the pattern -> workspace discovery link table of seed 001's add_relationship.
CREATE TABLE IF NOT EXISTS graph_namespaces (
    name TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 100),
    created_at TEXT NOT NULL
);
INSERT OR IGNORE INTO graph_namespaces (name, created_at) VALUES ('default', strftime('%Y-%m-%d %H:%M:%f', 'now'));

CREATE TABLE IF NOT EXISTS graph_entities (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(16)))),  -- stable key across tiers
    namespace TEXT NOT NULL DEFAULT 'default' REFERENCES graph_namespaces(name),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 1000),
    kind TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 100),
    properties TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(properties) AND json_type(properties) = 'object'),
    confidence REAL NOT NULL DEFAULT 1.0 CHECK (confidence BETWEEN 0 AND 1),
    pinned INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
    access_count INTEGER NOT NULL DEFAULT 0 CHECK (access_count >= 0),
    last_accessed TEXT,
    decayed_through TEXT,                        -- decay has been applied up to this time
    archived_at TEXT,                            -- set when decay drops it below the threshold
    body TEXT NOT NULL DEFAULT '',               -- pattern title/content + observations, for FTS
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (namespace, name)
);
CREATE INDEX IF NOT EXISTS graph_entities_kind ON graph_entities(kind, namespace);
-- Hot JSON paths: find(where={"$.engine": ...}) uses exactly these expressions.
CREATE INDEX IF NOT EXISTS graph_entities_prop_engine ON graph_entities(json_extract(properties, '$.engine'));
CREATE INDEX IF NOT EXISTS graph_entities_prop_lang ON graph_entities(json_extract(properties, '$.lang'));

CREATE TABLE IF NOT EXISTS graph_patterns (
    id INTEGER PRIMARY KEY REFERENCES graph_entities(id) ON DELETE CASCADE,
    title TEXT NOT NULL CHECK (length(title) >= 1),
    content TEXT NOT NULL,
    pattern_type TEXT NOT NULL CHECK (pattern_type IN ('workflow', 'principle', 'anti_pattern', 'solution', 'context')),
    scope TEXT NOT NULL DEFAULT 'global' CHECK (length(scope) >= 1)
);
CREATE INDEX IF NOT EXISTS graph_patterns_type ON graph_patterns(pattern_type);

CREATE TABLE IF NOT EXISTS graph_observations (
    id INTEGER PRIMARY KEY,
    entity_id INTEGER NOT NULL REFERENCES graph_entities(id) ON DELETE CASCADE,
    content TEXT NOT NULL CHECK (length(content) >= 1),
    created_at TEXT NOT NULL,
    UNIQUE (entity_id, content)
);

CREATE TABLE IF NOT EXISTS graph_tags (
    entity_id INTEGER NOT NULL REFERENCES graph_entities(id) ON DELETE CASCADE,
    tag TEXT NOT NULL CHECK (length(tag) BETWEEN 1 AND 100),
    PRIMARY KEY (entity_id, tag)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS graph_tags_tag ON graph_tags(tag, entity_id);

CREATE TABLE IF NOT EXISTS graph_relations (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(16)))),
    source_id INTEGER NOT NULL REFERENCES graph_entities(id) ON DELETE CASCADE,
    relation_type TEXT NOT NULL CHECK (length(relation_type) BETWEEN 1 AND 100),
    target_id INTEGER NOT NULL REFERENCES graph_entities(id) ON DELETE CASCADE,
    strength REAL NOT NULL DEFAULT 1.0 CHECK (strength BETWEEN 0 AND 1),
    confidence REAL NOT NULL DEFAULT 1.0 CHECK (confidence BETWEEN 0 AND 1),
    properties TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(properties) AND json_type(properties) = 'object'),
    valid_from TEXT NOT NULL,                    -- valid time: when it became true
    valid_to TEXT,                               -- valid time: when it stopped (NULL = current)
    recorded_at TEXT NOT NULL,                   -- transaction time: when the store learned it
    ended_at TEXT,                               -- transaction time: when valid_to was recorded
    CHECK (source_id <> target_id),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
-- One current relation per (source, type, target); also the outgoing traversal index.
CREATE UNIQUE INDEX IF NOT EXISTS graph_relations_current
    ON graph_relations(source_id, relation_type, target_id) WHERE valid_to IS NULL;
CREATE INDEX IF NOT EXISTS graph_relations_current_in
    ON graph_relations(target_id, relation_type, source_id) WHERE valid_to IS NULL;
CREATE INDEX IF NOT EXISTS graph_relations_source ON graph_relations(source_id, valid_from);
CREATE INDEX IF NOT EXISTS graph_relations_target ON graph_relations(target_id, valid_from);

CREATE VIRTUAL TABLE IF NOT EXISTS graph_search USING fts5(
    name, kind, body, content='graph_entities', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS graph_entities_fts_insert AFTER INSERT ON graph_entities BEGIN
    INSERT INTO graph_search (rowid, name, kind, body) VALUES (new.id, new.name, new.kind, new.body);
END;
CREATE TRIGGER IF NOT EXISTS graph_entities_fts_delete AFTER DELETE ON graph_entities BEGIN
    INSERT INTO graph_search (graph_search, rowid, name, kind, body) VALUES ('delete', old.id, old.name, old.kind, old.body);
END;
CREATE TRIGGER IF NOT EXISTS graph_entities_fts_update AFTER UPDATE OF name, kind, body ON graph_entities
WHEN old.name IS NOT new.name OR old.kind IS NOT new.kind OR old.body IS NOT new.body BEGIN
    INSERT INTO graph_search (graph_search, rowid, name, kind, body) VALUES ('delete', old.id, old.name, old.kind, old.body);
    INSERT INTO graph_search (rowid, name, kind, body) VALUES (new.id, new.name, new.kind, new.body);
END;

-- body = pattern title + content + observations in insertion order, recomputed on every change.
CREATE TRIGGER IF NOT EXISTS graph_observations_body_insert AFTER INSERT ON graph_observations BEGIN
    UPDATE graph_entities SET body = trim(
        coalesce((SELECT title || char(10) || content FROM graph_patterns WHERE id = new.entity_id), '') || char(10) ||
        coalesce((SELECT group_concat(content, char(10)) FROM
                  (SELECT content FROM graph_observations WHERE entity_id = new.entity_id ORDER BY id)), ''),
        char(10)) WHERE id = new.entity_id;
END;
CREATE TRIGGER IF NOT EXISTS graph_observations_body_delete AFTER DELETE ON graph_observations BEGIN
    UPDATE graph_entities SET body = trim(
        coalesce((SELECT title || char(10) || content FROM graph_patterns WHERE id = old.entity_id), '') || char(10) ||
        coalesce((SELECT group_concat(content, char(10)) FROM
                  (SELECT content FROM graph_observations WHERE entity_id = old.entity_id ORDER BY id)), ''),
        char(10)) WHERE id = old.entity_id;
END;
CREATE TRIGGER IF NOT EXISTS graph_patterns_body_insert AFTER INSERT ON graph_patterns BEGIN
    UPDATE graph_entities SET body = trim(
        new.title || char(10) || new.content || char(10) ||
        coalesce((SELECT group_concat(content, char(10)) FROM
                  (SELECT content FROM graph_observations WHERE entity_id = new.id ORDER BY id)), ''),
        char(10)) WHERE id = new.id;
END;
CREATE TRIGGER IF NOT EXISTS graph_patterns_body_update AFTER UPDATE OF title, content ON graph_patterns BEGIN
    UPDATE graph_entities SET body = trim(
        new.title || char(10) || new.content || char(10) ||
        coalesce((SELECT group_concat(content, char(10)) FROM
                  (SELECT content FROM graph_observations WHERE entity_id = new.id ORDER BY id)), ''),
        char(10)) WHERE id = new.id;
END;

CREATE TABLE IF NOT EXISTS graph_decay_log (
    id INTEGER PRIMARY KEY,
    entity_uuid TEXT NOT NULL,
    entity_id INTEGER,
    action TEXT NOT NULL CHECK (action IN ('decayed', 'archived')),
    old_confidence REAL NOT NULL,
    new_confidence REAL NOT NULL,
    idle_days REAL NOT NULL,
    logged_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS graph_decay_log_entity ON graph_decay_log(entity_uuid, logged_at);

-- Seed 001 add_relationship(subject_pattern_id, relationship_type, object_entity_id, object_entity_type).
CREATE TABLE IF NOT EXISTS graph_workspace_links (
    id INTEGER PRIMARY KEY,
    subject_pattern_id INTEGER NOT NULL REFERENCES graph_patterns(id) ON DELETE CASCADE,
    relationship_type TEXT NOT NULL CHECK (length(relationship_type) BETWEEN 1 AND 100),
    object_entity_type TEXT NOT NULL CHECK (object_entity_type IN ('workspace_database', 'workspace_api', 'workspace_framework')),
    object_entity_id INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (subject_pattern_id, relationship_type, object_entity_type, object_entity_id)
);
CREATE INDEX IF NOT EXISTS graph_workspace_links_object ON graph_workspace_links(object_entity_type, object_entity_id);
CREATE TRIGGER IF NOT EXISTS workspace_databases_unlink AFTER DELETE ON workspace_databases BEGIN
    DELETE FROM graph_workspace_links WHERE object_entity_type = 'workspace_database' AND object_entity_id = old.id;
END;
CREATE TRIGGER IF NOT EXISTS workspace_apis_unlink AFTER DELETE ON workspace_apis BEGIN
    DELETE FROM graph_workspace_links WHERE object_entity_type = 'workspace_api' AND object_entity_id = old.id;
END;
CREATE TRIGGER IF NOT EXISTS workspace_frameworks_unlink AFTER DELETE ON workspace_frameworks BEGIN
    DELETE FROM graph_workspace_links WHERE object_entity_type = 'workspace_framework' AND object_entity_id = old.id;
END;

-- Workspace discovery: a stale marker (added columns; the seed tables are otherwise as written).
ALTER TABLE workspace_databases ADD COLUMN stale_since REAL;
ALTER TABLE workspace_apis ADD COLUMN stale_since REAL;
ALTER TABLE workspace_frameworks ADD COLUMN stale_since REAL;
-- down
DROP TRIGGER IF EXISTS workspace_frameworks_unlink;
DROP TRIGGER IF EXISTS workspace_apis_unlink;
DROP TRIGGER IF EXISTS workspace_databases_unlink;
DROP TABLE IF EXISTS graph_workspace_links;
DROP TABLE IF EXISTS graph_decay_log;
DROP TABLE IF EXISTS graph_search;
DROP TABLE IF EXISTS graph_relations;
DROP TABLE IF EXISTS graph_tags;
DROP TABLE IF EXISTS graph_observations;
DROP TABLE IF EXISTS graph_patterns;
DROP TABLE IF EXISTS graph_entities;
DROP TABLE IF EXISTS graph_namespaces;
ALTER TABLE workspace_databases DROP COLUMN stale_since;
ALTER TABLE workspace_apis DROP COLUMN stale_since;
ALTER TABLE workspace_frameworks DROP COLUMN stale_since;

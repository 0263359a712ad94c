-- Tier-3 archive of knowledge-graph nodes (archive group graph_nodes): each live table's columns
-- plus archived_at / archive_op_id, like the other archived_* tables. Node and relation ids are
-- reusable INTEGER PRIMARY KEYs in tier 2, so the archive is keyed on stable keys: the node uuid,
-- and for children the uuid of the node(s) they belong to (entity_uuid, source_uuid, ...), which a
-- restore maps back to live ids. The id columns keep the values the rows had when archived.
CREATE TABLE IF NOT EXISTS archived_graph_entities (
    id INTEGER NOT NULL,
    uuid TEXT PRIMARY KEY,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    properties TEXT NOT NULL CHECK (json_valid(properties)),
    confidence REAL NOT NULL,
    pinned INTEGER NOT NULL,
    access_count INTEGER NOT NULL,
    last_accessed TEXT,
    decayed_through TEXT,
    archived_at TEXT NOT NULL,                   -- decay mark time, else when it was moved
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    archive_op_id INTEGER
);
CREATE INDEX IF NOT EXISTS idx_archived_graph_entities_name ON archived_graph_entities(namespace, name);
CREATE INDEX IF NOT EXISTS idx_archived_graph_entities_updated ON archived_graph_entities(updated_at DESC);
CREATE INDEX IF NOT EXISTS idx_archived_graph_entities_id ON archived_graph_entities(id);

CREATE TABLE IF NOT EXISTS archived_graph_patterns (
    id INTEGER NOT NULL,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    pattern_type TEXT NOT NULL,
    scope TEXT NOT NULL,
    entity_uuid TEXT PRIMARY KEY,
    archived_at TEXT NOT NULL,
    archive_op_id INTEGER
);

CREATE TABLE IF NOT EXISTS archived_graph_observations (
    id INTEGER NOT NULL,
    entity_id INTEGER NOT NULL,
    content TEXT NOT NULL,
    created_at TEXT NOT NULL,
    entity_uuid TEXT NOT NULL,
    archived_at TEXT NOT NULL,
    archive_op_id INTEGER,
    PRIMARY KEY (entity_uuid, content)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS archived_graph_tags (
    entity_id INTEGER NOT NULL,
    tag TEXT NOT NULL,
    entity_uuid TEXT NOT NULL,
    archived_at TEXT NOT NULL,
    archive_op_id INTEGER,
    PRIMARY KEY (entity_uuid, tag)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idx_archived_graph_tags_tag ON archived_graph_tags(tag, entity_uuid);

CREATE TABLE IF NOT EXISTS archived_graph_relations (
    id INTEGER NOT NULL,
    uuid TEXT PRIMARY KEY,
    source_id INTEGER NOT NULL,
    relation_type TEXT NOT NULL,
    target_id INTEGER NOT NULL,
    strength REAL NOT NULL,
    confidence REAL NOT NULL,
    properties TEXT NOT NULL CHECK (json_valid(properties)),
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    recorded_at TEXT NOT NULL,
    ended_at TEXT,
    source_uuid TEXT NOT NULL,
    target_uuid TEXT NOT NULL,
    archived_at TEXT NOT NULL,
    archive_op_id INTEGER
);
CREATE INDEX IF NOT EXISTS idx_archived_graph_relations_source ON archived_graph_relations(source_uuid);
CREATE INDEX IF NOT EXISTS idx_archived_graph_relations_target ON archived_graph_relations(target_uuid);

CREATE TABLE IF NOT EXISTS archived_graph_workspace_links (
    id INTEGER NOT NULL,
    subject_pattern_id INTEGER NOT NULL,
    relationship_type TEXT NOT NULL,
    object_entity_type TEXT NOT NULL,
    object_entity_id INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    pattern_uuid TEXT NOT NULL,
    archived_at TEXT NOT NULL,
    archive_op_id INTEGER,
    PRIMARY KEY (pattern_uuid, relationship_type, object_entity_type, object_entity_id)
) WITHOUT ROWID;
-- down
DROP TABLE IF EXISTS archived_graph_workspace_links;
DROP TABLE IF EXISTS archived_graph_relations;
DROP TABLE IF EXISTS archived_graph_tags;
DROP TABLE IF EXISTS archived_graph_observations;
DROP TABLE IF EXISTS archived_graph_patterns;
DROP TABLE IF EXISTS archived_graph_entities;

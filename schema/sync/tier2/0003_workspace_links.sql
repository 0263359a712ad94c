-- Sync of graph_workspace_links (a pattern -> a discovered workspace row), local side. Local ids
-- mean nothing elsewhere, so a link is marked in sync_side_dirty by its stable key: the pattern's
-- [namespace, name], the relationship type, the object's type and the object's natural key (the
-- discovery's UNIQUE columns, wrapped in json() so it nests as an array), as one JSON array.
-- Links are a union: nothing removes one on its
-- own (a removed pattern travels as its entity's tombstone and takes its links with it wherever it
-- lands; archiving moves them to tier 3, whose own flow carries them), so no tombstone is needed.
-- sync_workspace_link_pending holds pulled links whose pattern or discovery this store lacks yet.
CREATE TABLE IF NOT EXISTS sync_workspace_link_pending (
    row_key TEXT PRIMARY KEY,                    -- the link's stable key, as in sync_side_dirty
    created_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS sync_graph_workspace_links_ins AFTER INSERT ON graph_workspace_links
WHEN (SELECT applying FROM sync_state) = 0 BEGIN
    UPDATE sync_side_state SET counter = counter + 1;
    INSERT INTO sync_side_dirty (table_name, row_key, seq)
        SELECT 'graph_workspace_links', json_array(e.namespace, e.name, new.relationship_type, new.object_entity_type, json(
            CASE new.object_entity_type
                WHEN 'workspace_database' THEN (SELECT json_array(database_type, host, port, database_name)
                                                FROM workspace_databases WHERE id = new.object_entity_id)
                WHEN 'workspace_api' THEN (SELECT json_array(api_type, base_url) FROM workspace_apis
                                           WHERE id = new.object_entity_id)
                ELSE (SELECT json_array(framework_type, config_location) FROM workspace_frameworks
                      WHERE id = new.object_entity_id) END)), (SELECT counter FROM sync_side_state)
        FROM graph_entities e WHERE e.id = new.subject_pattern_id
        ON CONFLICT (table_name, row_key) DO UPDATE SET seq = excluded.seq;
END;
-- Everything already held is pushed by the next push.
INSERT OR IGNORE INTO sync_side_dirty (table_name, row_key, seq)
    SELECT 'graph_workspace_links', json_array(e.namespace, e.name, l.relationship_type, l.object_entity_type, json(
        CASE l.object_entity_type
            WHEN 'workspace_database' THEN (SELECT json_array(database_type, host, port, database_name)
                                            FROM workspace_databases WHERE id = l.object_entity_id)
            WHEN 'workspace_api' THEN (SELECT json_array(api_type, base_url) FROM workspace_apis
                                       WHERE id = l.object_entity_id)
            ELSE (SELECT json_array(framework_type, config_location) FROM workspace_frameworks
                  WHERE id = l.object_entity_id) END)), 0
    FROM graph_workspace_links l JOIN graph_entities e ON e.id = l.subject_pattern_id;
-- down
DROP TRIGGER IF EXISTS sync_graph_workspace_links_ins;
DELETE FROM sync_side_dirty WHERE table_name = 'graph_workspace_links';
DROP TABLE IF EXISTS sync_workspace_link_pending;

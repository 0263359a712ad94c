-- Issue 19 (search_nodes at thousands of touching relations): each relation row of an answer
-- needs the name of its far end, and those from outside the matched entities need their row.
--   graph_entities_names: (id, name), a narrow copy the name lookups walk instead of the wide
--     entity rows (body, uuid, timestamps): one b-tree level less and far fewer pages. New
--     entities take ascending ids, so inserts append to it.
--   graph_relations_target: now also holds source, type and valid_to, so the incoming side of
--     a touching-relations query (and incoming traversal) never reads the relation rows. Same
--     leading columns as before (target_id, valid_from), so every earlier use still fits; still
--     one index entry per relation (no extra leaf dirtied per insert).
CREATE INDEX IF NOT EXISTS graph_entities_names ON graph_entities(id, name);
DROP INDEX IF EXISTS graph_relations_target;
CREATE INDEX graph_relations_target ON graph_relations(target_id, valid_from, source_id, relation_type, valid_to);
-- down
DROP INDEX IF EXISTS graph_entities_names;
DROP INDEX IF EXISTS graph_relations_target;
CREATE INDEX graph_relations_target ON graph_relations(target_id, valid_from);

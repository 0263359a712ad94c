-- cortex/postgres: the PostgreSQL twin of tier2 0008 (the graph's read indexes for
-- search_nodes: entity names by id, incoming relations covering source, type and valid_to).
CREATE INDEX IF NOT EXISTS graph_entities_names ON graph_entities(id, name);
DROP INDEX IF EXISTS graph_relations_target;
CREATE INDEX graph_relations_target ON graph_relations(target_id, valid_from, source_id, relation_type, valid_to);
-- down
DROP INDEX IF EXISTS graph_entities_names;
DROP INDEX IF EXISTS graph_relations_target;
CREATE INDEX graph_relations_target ON graph_relations(target_id, valid_from);

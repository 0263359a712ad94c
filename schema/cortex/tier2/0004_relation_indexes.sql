-- Issue 7 (write cost): a batch of new relations has random endpoints, so every index on
-- graph_relations costs about one dirtied b-tree leaf per relation at each commit. Two indexes
-- now do the work of four:
--   graph_relations_key: every relation by (source, type, target), unique among CURRENT ones
--     (ended ones differ by their uuid in the last key column). It enforces one current relation
--     per triple and serves outgoing edges, history by source and the ON DELETE CASCADE lookup,
--     replacing graph_relations_current (partial unique) and graph_relations_source.
--   graph_relations_target (kept): every relation by target, for incoming edges, history and the
--     cascade, replacing the partial copy of the current incoming ones (graph_relations_current_in).
CREATE UNIQUE INDEX IF NOT EXISTS graph_relations_key ON graph_relations(
    source_id, relation_type, target_id, (CASE WHEN valid_to IS NULL THEN '' ELSE uuid END));
DROP INDEX IF EXISTS graph_relations_current;
DROP INDEX IF EXISTS graph_relations_current_in;
DROP INDEX IF EXISTS graph_relations_source;
-- down
CREATE UNIQUE INDEX IF NOT EXISTS graph_relations_current
    ON graph_relations(source_id, relation_type, target_id) WHERE valid_to IS NULL;
CREATE INDEX IF NOT EXISTS graph_relations_current_in
    ON graph_relations(target_id, relation_type, source_id) WHERE valid_to IS NULL;
CREATE INDEX IF NOT EXISTS graph_relations_source ON graph_relations(source_id, valid_from);
DROP INDEX IF EXISTS graph_relations_key;

-- Issue 7 (write cost): every current-relation index is one more b-tree leaf dirtied per new
-- relation, since a batch's endpoints are random. Incoming edges are found through
-- graph_relations_target (target_id, valid_from), which holds every relation of a target; the
-- partial copy of the current ones cost a page write per relation and saved only a row lookup.
DROP INDEX IF EXISTS graph_relations_current_in;
-- down
CREATE INDEX IF NOT EXISTS graph_relations_current_in
    ON graph_relations(target_id, relation_type, source_id) WHERE valid_to IS NULL;

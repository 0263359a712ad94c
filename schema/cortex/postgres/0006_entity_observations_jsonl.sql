-- cortex/postgres: the PostgreSQL twin of tier2 0011 and tier3 0008 (graph_entities and
-- archived_graph_entities gain observations_jsonl). Like body, a store derives it from the
-- observations it holds and sync does not send it: each store recomputes it from the
-- observations it pulls. An archive push copies an archived row's value with the row.
ALTER TABLE graph_entities ADD COLUMN IF NOT EXISTS observations_jsonl TEXT;
ALTER TABLE archived_graph_entities ADD COLUMN IF NOT EXISTS observations_jsonl TEXT;
-- down
ALTER TABLE archived_graph_entities DROP COLUMN IF EXISTS observations_jsonl;
ALTER TABLE graph_entities DROP COLUMN IF EXISTS observations_jsonl;

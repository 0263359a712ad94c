-- cortex/tier3: archived graph entities carry the column live ones gained in tier2 0011
-- (observations_jsonl: their observations as JSON strings, one per line), so an archive keeps
-- every live column and a restore brings it back, where the observation triggers recompute it
-- as the observations return.
ALTER TABLE archived_graph_entities ADD COLUMN observations_jsonl TEXT;
-- down
ALTER TABLE archived_graph_entities DROP COLUMN observations_jsonl;

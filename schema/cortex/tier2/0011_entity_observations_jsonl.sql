-- Issue 19 (search_nodes at hundreds of entities): every MCP answer lists each entity with its
-- observations in insertion order as JSON, and reading them per entity (an index seek, a sort of
-- its rows by id, a json_quote each) was about half the cost of writing the entities' JSON.
--   graph_entities.observations_jsonl: the entity's observations as JSON strings, one per line
--     (char(10) between them), in insertion order; NULL when it has none. A JSON string never
--     holds a raw newline, so the lines split exactly.
-- The triggers that keep body in step with the observations now keep this column too, from the
-- same ordered read of the entity's observations.
ALTER TABLE graph_entities ADD COLUMN observations_jsonl TEXT;
UPDATE graph_entities SET observations_jsonl = (
    SELECT group_concat(json_quote(content), char(10)) FROM
        (SELECT content FROM graph_observations WHERE entity_id = graph_entities.id ORDER BY id))
WHERE id IN (SELECT entity_id FROM graph_observations);
DROP TRIGGER IF EXISTS graph_observations_body_insert;
DROP TRIGGER IF EXISTS graph_observations_body_delete;
CREATE TRIGGER graph_observations_body_insert AFTER INSERT ON graph_observations BEGIN
    UPDATE graph_entities SET (body, observations_jsonl) = (
        SELECT trim(coalesce((SELECT title || char(10) || content FROM graph_patterns WHERE id = new.entity_id), '')
                    || char(10) || coalesce(group_concat(content, char(10)), ''), char(10)),
               group_concat(json_quote(content), char(10))
        FROM (SELECT content FROM graph_observations WHERE entity_id = new.entity_id ORDER BY id))
    WHERE id = new.entity_id;
END;
CREATE TRIGGER graph_observations_body_delete AFTER DELETE ON graph_observations BEGIN
    UPDATE graph_entities SET (body, observations_jsonl) = (
        SELECT trim(coalesce((SELECT title || char(10) || content FROM graph_patterns WHERE id = old.entity_id), '')
                    || char(10) || coalesce(group_concat(content, char(10)), ''), char(10)),
               group_concat(json_quote(content), char(10))
        FROM (SELECT content FROM graph_observations WHERE entity_id = old.entity_id ORDER BY id))
    WHERE id = old.entity_id;
END;
-- down
DROP TRIGGER IF EXISTS graph_observations_body_insert;
DROP TRIGGER IF EXISTS graph_observations_body_delete;
CREATE TRIGGER graph_observations_body_insert AFTER INSERT ON graph_observations BEGIN
    UPDATE graph_entities SET body = trim(
        coalesce((SELECT title || char(10) || content FROM graph_patterns WHERE id = new.entity_id), '') || char(10) ||
        coalesce((SELECT group_concat(content, char(10)) FROM
                  (SELECT content FROM graph_observations WHERE entity_id = new.entity_id ORDER BY id)), ''),
        char(10)) WHERE id = new.entity_id;
END;
CREATE TRIGGER graph_observations_body_delete AFTER DELETE ON graph_observations BEGIN
    UPDATE graph_entities SET body = trim(
        coalesce((SELECT title || char(10) || content FROM graph_patterns WHERE id = old.entity_id), '') || char(10) ||
        coalesce((SELECT group_concat(content, char(10)) FROM
                  (SELECT content FROM graph_observations WHERE entity_id = old.entity_id ORDER BY id)), ''),
        char(10)) WHERE id = old.entity_id;
END;
ALTER TABLE graph_entities DROP COLUMN observations_jsonl;

-- JSON property indexes users declare (db.graph.index_property): an expression index on exactly
-- json_extract(properties, '<path>'), the expression find(where=...) writes, recorded here so
-- status lists them, drift checks expect them and they can be dropped by path. (The indexes the
-- schema itself ships, on $.engine and $.lang, are listed by the code, not recorded here.)
CREATE TABLE IF NOT EXISTS graph_property_indexes (
    path TEXT PRIMARY KEY,
    index_name TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
-- down
DROP TABLE IF EXISTS graph_property_indexes;

-- Sync bookkeeping on the PostgreSQL authority. Every change a push makes to an entity (its row,
-- pattern, observations, tags, outgoing relations) gives the entity the next number of
-- sync_change_seq; pushes take a transaction-level advisory lock first, so numbers commit in
-- order and a puller's cursor (the highest number it applied) never skips a change.
CREATE SEQUENCE IF NOT EXISTS sync_change_seq;

-- The store whose write is the entity's current state (last writer by (updated_at, store id)).
ALTER TABLE graph_entities ADD COLUMN IF NOT EXISTS sync_store_id UUID;

-- Each entity's change number, in a narrow table of its own: numbering a batch rewrites these
-- rows, not the entity rows with their GIN indexes. sync_echo: the store whose push left the
-- entity exactly as that store holds it (NULL once others' changes merged in): that store has
-- nothing to pull for it.
CREATE TABLE IF NOT EXISTS sync_entity_changes (
    entity_id BIGINT PRIMARY KEY REFERENCES graph_entities(id) ON DELETE CASCADE,
    sync_seq BIGINT NOT NULL,
    sync_echo UUID
);
CREATE INDEX IF NOT EXISTS sync_entity_changes_seq ON sync_entity_changes(sync_seq);

-- Removals, so they reach every store: an entity ('', removed_at = the removed row's updated_at),
-- an observation (its content, removed_at = its created_at) or a tag (the entity's updated_at).
CREATE TABLE IF NOT EXISTS sync_tombstones (
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    item_kind TEXT NOT NULL CHECK (item_kind IN ('entity', 'observation', 'tag')),
    item TEXT NOT NULL,
    removed_at TIMESTAMPTZ NOT NULL,
    sync_store_id UUID NOT NULL,
    sync_seq BIGINT NOT NULL,
    PRIMARY KEY (namespace, name, item_kind, item)
);
CREATE INDEX IF NOT EXISTS sync_tombstones_seq ON sync_tombstones(sync_seq);

"""First push: entities the authority has never seen go straight into its tables.

An entity the authority holds no row, no uuid and no tombstone for cannot meet any conflict rule:
last writer, union and tombstones all reduce to "insert what was sent", and afterwards the
authority holds exactly what the store sent (the store's echo). Such *fresh* entities are COPYed
into the final tables with ids drawn from the authority's sequence, without the staging tables and
without the echo check; the rest of the batch takes the staging merge (:mod:`.push`).

The lookup runs after the push lock is taken, in the pushing transaction, so no other push can
land the same entity between the lookup and the commit: a concurrent first push of the same
entity from another store waits for the lock, then finds the entity and merges it by the rules.
A relation of a fresh entity needs its target's id: a fresh entity of the batch, an entity the
authority holds with no tombstone, or a target the authority lacks entirely (landed as a bare row,
as the staging merge does); any other target, a removal in the batch, or a relation uuid the
authority already holds sends the entity to the staging merge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from .pg_schema import copy_rows

if TYPE_CHECKING:
    from .push import Batch

Key = tuple[str, str]

# Per key ([namespace, name, uuid, updated_at] in a JSON array): the authority's id; whether
# anything stands in the way of a plain insert (a tombstone of any kind for the key, or its uuid
# held under another key); a new id for a clean absent key; and whether the key is held only as a
# bare relation target no push has numbered yet that this state wins over (it is then adopted).
# Every probe is an index lookup per key (namespace+name, uuid, tombstone key, change row), also on
# an authority holding 200k entities and 200k tombstones (docs/benchmarks.md); OFFSET 0 keeps the
# inner query whole, so "blocked" is computed once per key rather than once per reference.
LOOKUP = """
WITH seq AS MATERIALIZED (SELECT pg_get_serial_sequence('graph_entities', 'id')::regclass AS ids)
SELECT i, id, blocked, CASE WHEN id IS NULL AND NOT blocked THEN nextval(seq.ids) END, adoptable
FROM seq, (SELECT k.i, g.id, EXISTS (SELECT 1 FROM sync_tombstones d WHERE d.namespace = k.ns AND d.name = k.name)
                  OR (g.id IS NULL AND EXISTS (SELECT 1 FROM graph_entities u WHERE u.uuid = k.uuid)) AS blocked,
                  g.id IS NOT NULL AND g.sync_store_id IS NULL AND g.updated_at <= k.updated_at
                  AND NOT EXISTS (SELECT 1 FROM sync_entity_changes c WHERE c.entity_id = g.id) AS adoptable
           FROM (SELECT v ->> 0 AS ns, v ->> 1 AS name, (v ->> 2)::uuid AS uuid, (v ->> 3)::timestamptz AS updated_at, i
                 FROM json_array_elements(%s::json) WITH ORDINALITY AS k(v, i)) k
           LEFT JOIN graph_entities g ON g.namespace = k.ns AND g.name = k.name OFFSET 0) s"""
HELD_RELATIONS = "SELECT replace(u::text, '-', '') FROM json_array_elements_text(%s::json) AS k(u) " \
                 "WHERE EXISTS (SELECT 1 FROM graph_relations r WHERE r.uuid = k.u::uuid)"
# Every namespace the batch names, fresh or not (the staging merge does the same).
NAMESPACES = """
INSERT INTO graph_namespaces (name, created_at)
SELECT v ->> 0, (v ->> 1)::timestamptz FROM json_array_elements(%s::json) AS n(v)
ON CONFLICT (name) DO NOTHING"""
# An adopted bare target takes the entity's state, as the staging merge's upsert would give it.
_ADOPT = """
UPDATE graph_entities g SET kind = v ->> 1, properties = (v ->> 2)::jsonb, confidence = (v ->> 3)::float8,
    pinned = (v ->> 4)::bool, updated_at = (v ->> 5)::timestamptz, sync_store_id = %(store)s
FROM json_array_elements(%(rows)s::json) AS x(v) WHERE g.id = (v ->> 0)::bigint"""
_CHANGES = """
INSERT INTO sync_entity_changes (entity_id, sync_seq, sync_echo)
SELECT id::bigint, nextval('sync_change_seq'), %(store)s FROM json_array_elements_text(%(ids)s::json) AS k(id)"""
_COPY = {
    "entities": "COPY graph_entities (id, uuid, namespace, name, kind, properties, confidence, pinned, created_at, "
                "updated_at, sync_store_id) FROM STDIN",
    "patterns": "COPY graph_patterns (id, title, content, pattern_type, scope) FROM STDIN",
    "observations": "COPY graph_observations (entity_id, content, created_at) FROM STDIN",
    "tags": "COPY graph_tags (entity_id, tag) FROM STDIN",
    "relations": "COPY graph_relations (uuid, source_id, relation_type, target_id, strength, confidence, properties, "
                 "valid_from, valid_to, recorded_at, ended_at) FROM STDIN",
}


@dataclass
class Lookup:
    """What the authority holds of the keys a batch names, read under the push lock."""

    keys: list[Key]
    ids: dict[Key, int | None] = field(default_factory=dict)
    blocked: set[Key] = field(default_factory=set)
    new_ids: dict[Key, int] = field(default_factory=dict)
    """A fresh id for each clean absent key, and the held id for each adoptable bare target."""
    adoptable: set[Key] = field(default_factory=set)
    held_relations: set[str] = field(default_factory=set)


def lookup_params(batch: Batch) -> tuple[Lookup, str, str, str]:
    """The keys to look up (the batch's entities, then the relation targets it names) and the
    JSON parameters of :data:`LOOKUP`, :data:`HELD_RELATIONS` and :data:`NAMESPACES`."""
    found: dict[Key, tuple[str, str, str, str]] = {(e[0], e[1]): (e[0], e[1], e[2], e[8]) for e in batch.entities}
    for r in batch.relations:
        found.setdefault((r[4], r[5]), (r[4], r[5], r[13], r[16]))
    namespaces: dict[str, str] = {}
    for ns, at in [(e[0], e[7]) for e in batch.entities] + [(r[4], r[15]) for r in batch.relations]:
        if ns not in namespaces or at < namespaces[ns]:
            namespaces[ns] = at
    return (Lookup(list(found)), orjson.dumps(list(found.values())).decode(),
            orjson.dumps([r[0] for r in batch.relations]).decode(), orjson.dumps(list(namespaces.items())).decode())


def read_lookup(lookup: Lookup, rows: list[tuple[Any, ...]], held: list[tuple[Any, ...]]) -> Lookup:
    for i, authority_id, blocked, new_id, adoptable in rows:
        key = lookup.keys[i - 1]
        lookup.ids[key] = authority_id
        if blocked:
            lookup.blocked.add(key)
        elif adoptable and authority_id is not None:
            lookup.adoptable.add(key)
            lookup.new_ids[key] = authority_id
        if new_id is not None:
            lookup.new_ids[key] = new_id
    lookup.held_relations = {h[0] for h in held}
    return lookup


@dataclass
class Split:
    """A batch cut in two: the fresh entities' rows, ready to COPY, and the rest for staging."""

    fresh_ids: list[int]
    rows: dict[str, list[tuple[Any, ...]]]
    adopted: list[tuple[Any, ...]]
    rest: Batch


def split(batch: Batch, lookup: Lookup, store_id: str) -> Split:
    """Which entities of ``batch`` are fresh, their rows with the authority's ids, and the rest."""
    from .push import Batch

    new_ids, ids = lookup.new_ids, lookup.ids
    removed = {(r[0], r[1]) for r in batch.removed}
    fresh = {(e[0], e[1]) for e in batch.entities} & new_ids.keys() - removed

    def target_id(r: tuple[Any, ...]) -> int | None:
        target = (r[4], r[5])
        held = ids.get(target)
        if held is not None:
            return None if target in lookup.blocked else held
        return new_ids.get(target)

    for r in batch.relations:
        if (r[1], r[2]) in fresh and (target_id(r) is None or r[0] in lookup.held_relations):
            fresh.discard((r[1], r[2]))
    entities, adopted = [], []
    for e in batch.entities:
        if (key := (e[0], e[1])) in fresh:
            if key in lookup.adoptable:
                adopted.append((new_ids[key], *e[3:7], e[8]))
            else:
                entities.append((new_ids[key], e[2], *key, *e[3:9], store_id))
    relations, rest_relations = [], []
    bare: dict[Key, tuple[Any, ...]] = {}
    for r in batch.relations:
        if (r[1], r[2]) not in fresh:
            rest_relations.append(r)
            continue
        target = (r[4], r[5])
        tid = target_id(r)
        if ids.get(target) is None and target not in fresh and target not in bare:
            bare[target] = (tid, r[13], *target, r[14], "{}", 1.0, False, r[15], r[16], None)
        relations.append((r[0], new_ids[(r[1], r[2])], r[3], tid, *r[6:13]))
    rows = {
        "entities": entities + list(bare.values()),
        "patterns": [(new_ids[k], *e[9:13]) for e in batch.entities
                     if e[9] is not None and (k := (e[0], e[1])) in fresh],
        "observations": [(new_ids[k], o[2], o[3]) for o in batch.observations if (k := (o[0], o[1])) in fresh],
        "tags": [(new_ids[k], t[2]) for t in batch.tags if (k := (t[0], t[1])) in fresh],
        "relations": relations,
    }
    rest = Batch(batch.marks, [e for e in batch.entities if (e[0], e[1]) not in fresh],
                 [o for o in batch.observations if (o[0], o[1]) not in fresh],
                 [t for t in batch.tags if (t[0], t[1]) not in fresh], rest_relations, batch.removed)
    return Split([new_ids[k] for k in fresh], rows, adopted, rest)


def land(conn: Any, part: Split, store_id: str) -> None:
    """COPY the fresh entities (and bare relation targets) into the final tables, adopt the bare
    targets among them, and number them, the store's echo known by construction. Runs under the
    push lock (the caller holds it)."""
    if part.adopted:
        conn.execute(_ADOPT, {"store": store_id, "rows": orjson.dumps(part.adopted).decode()})
    for name, statement in _COPY.items():
        if part.rows[name]:
            copy_rows(conn, statement, part.rows[name])
    if part.fresh_ids:
        conn.execute(_CHANGES, {"store": store_id, "ids": orjson.dumps(part.fresh_ids).decode()})

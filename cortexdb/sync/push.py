"""Push: send the state of every changed graph entity, and the removals, to the authority.

The unit is the entity, keyed by (namespace, name): its row, pattern, observations, tags and
outgoing relations (whole bitemporal history, keyed by uuid). A batch is read from the store,
merged into PostgreSQL in one transaction with set-based statements, and only then are its
``sync_dirty`` marks cleared, if no later write moved them. A crash anywhere re-sends the same
state, which the merge rules make a no-op: last writer by (updated_at, store id) for the row
and pattern, union for observations and tags, uuid for relations, removals by their own time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import fresh
from .pg_schema import copy_rows

if TYPE_CHECKING:
    from ..store import Store

PUSH_LOCK = 0x636F72746578  # one push at a time per authority: change numbers commit in order
TS = "YYYY-MM-DD HH24:MI:SS.MS"

# The batch: the oldest marks (a total order, so every statement of the read picks the same ones).
_MARKS = "SELECT namespace, name, seq FROM tier2.sync_dirty ORDER BY seq, namespace, name LIMIT ?"
_KEYS = "WITH k(namespace, name) AS MATERIALIZED (SELECT namespace, name FROM tier2.sync_dirty " \
        "ORDER BY seq, namespace, name LIMIT ?)"
_LOCAL_ENTITIES = (
    f"{_KEYS} SELECT e.namespace, e.name, e.uuid, e.kind, e.properties, e.confidence, e.pinned, e.created_at, "
    "e.updated_at, p.title, p.content, p.pattern_type, p.scope "
    "FROM k JOIN tier2.graph_entities e ON e.namespace = k.namespace AND e.name = k.name "
    "LEFT JOIN tier2.graph_patterns p ON p.id = e.id")
_LOCAL_OBSERVATIONS = (
    f"{_KEYS} SELECT e.namespace, e.name, o.content, o.created_at FROM k JOIN tier2.graph_entities e "
    "ON e.namespace = k.namespace AND e.name = k.name JOIN tier2.graph_observations o ON o.entity_id = e.id")
_LOCAL_TAGS = (
    f"{_KEYS} SELECT e.namespace, e.name, t.tag, e.updated_at FROM k JOIN tier2.graph_entities e "
    "ON e.namespace = k.namespace AND e.name = k.name JOIN tier2.graph_tags t ON t.entity_id = e.id")
_LOCAL_RELATIONS = (
    f"{_KEYS} SELECT r.uuid, e.namespace, e.name, r.relation_type, t.namespace, t.name, r.strength, r.confidence, "
    "r.properties, r.valid_from, r.valid_to, r.recorded_at, r.ended_at, t.uuid, t.kind, t.created_at, t.updated_at "
    "FROM k JOIN tier2.graph_entities e ON e.namespace = k.namespace AND e.name = k.name "
    "JOIN tier2.graph_relations r ON r.source_id = e.id JOIN tier2.graph_entities t ON t.id = r.target_id")
_LOCAL_REMOVED = (f"{_KEYS} SELECT s.namespace, s.name, s.item_kind, s.item, s.removed_at FROM k "
                  "JOIN tier2.sync_removed s ON s.namespace = k.namespace AND s.name = k.name")


@dataclass
class Batch:
    """One batch of entity states read from the store, ready to merge."""

    marks: list[tuple[str, str, int]]
    entities: list[tuple[Any, ...]]
    """Rows in the column order of the ``sync_in_*`` staging tables (``STAGING``; the entities'
    counts of observations, tags and relations are added when they are staged)."""
    observations: list[tuple[Any, ...]]
    tags: list[tuple[Any, ...]]
    relations: list[tuple[Any, ...]]
    removed: list[tuple[Any, ...]]

    @property
    def rows(self) -> int:
        return len(self.entities) + len(self.observations) + len(self.tags) + len(self.relations) + len(self.removed)


def read_batch(store: Store, limit: int) -> Batch | None:
    """The next ``limit`` changed entities (oldest mark first), or None when nothing is marked."""
    with store.transaction():
        marks = [(r[0], r[1], r[2]) for r in store.execute(_MARKS, (limit,))]
        if not marks:
            return None
        entities = store.execute(_LOCAL_ENTITIES, (limit,))   # pinned as 0/1: PostgreSQL reads both as bool
        observations = store.execute(_LOCAL_OBSERVATIONS, (limit,))
        tags = store.execute(_LOCAL_TAGS, (limit,))
        relations = store.execute(_LOCAL_RELATIONS, (limit,))
        removed = store.execute(_LOCAL_REMOVED, (limit,))
    return Batch(marks, entities, observations, tags, relations, removed)


# A batch is COPYed into session temporary tables (emptied at each commit), then merged with a
# fixed number of set-based statements, whatever its size.
_RELATION_COLS = ("uuid uuid, s_ns text, s_name text, relation_type text, t_ns text, t_name text, strength float8, "
                  "confidence float8, properties jsonb, valid_from timestamptz, valid_to timestamptz, "
                  "recorded_at timestamptz, ended_at timestamptz, t_uuid uuid, t_kind text, t_created_at timestamptz, "
                  "t_updated_at timestamptz")
STAGING = {
    "entities": "namespace text, name text, uuid uuid, kind text, properties jsonb, confidence float8, pinned bool, "
                "created_at timestamptz, updated_at timestamptz, title text, content text, pattern_type text, "
                "scope text, n_obs int, n_tags int, n_rels int",
    "observations": "namespace text, name text, content text, created_at timestamptz",
    "tags": "namespace text, name text, tag text, at timestamptz",
    "relations": _RELATION_COLS,
    "removed": "namespace text, name text, item_kind text, item text, removed_at timestamptz",
}
_STAGING_DDL = "".join(f"CREATE TEMP TABLE IF NOT EXISTS sync_in_{name} ({cols}) ON COMMIT DELETE ROWS;"
                       for name, cols in STAGING.items())
_PG_TOMBSTONES = """
INSERT INTO sync_tombstones (namespace, name, item_kind, item, removed_at, sync_store_id, sync_seq)
SELECT namespace, name, item_kind, item, removed_at, %(store)s, nextval('sync_change_seq')
FROM sync_in_removed x
ON CONFLICT (namespace, name, item_kind, item) DO UPDATE
SET removed_at = EXCLUDED.removed_at, sync_store_id = EXCLUDED.sync_store_id, sync_seq = EXCLUDED.sync_seq
WHERE EXCLUDED.removed_at > sync_tombstones.removed_at"""
_REMOVED_X = "sync_in_removed x"
_PG_REMOVE_ENTITIES = f"""
DELETE FROM graph_entities g USING {_REMOVED_X} WHERE x.item_kind = 'entity' AND g.namespace = x.namespace
AND g.name = x.name AND g.updated_at <= x.removed_at"""
# An entity's removal also removes what the remover saw of it, should a later write elsewhere
# keep the entity: observations created and relations (either end) recorded up to that time.
_PG_REMOVE_SEEN = f"""
WITH x AS (SELECT g.id, x.removed_at FROM {_REMOVED_X} JOIN graph_entities g ON g.namespace = x.namespace
           AND g.name = x.name WHERE x.item_kind = 'entity'),
seen_observations AS (DELETE FROM graph_observations o USING x WHERE o.entity_id = x.id AND o.created_at <= x.removed_at)
DELETE FROM graph_relations r USING x WHERE (r.source_id = x.id OR r.target_id = x.id) AND r.recorded_at <= x.removed_at"""
_PG_REMOVE_OBSERVATIONS = f"""
DELETE FROM graph_observations o USING {_REMOVED_X}, graph_entities g WHERE x.item_kind = 'observation'
AND g.namespace = x.namespace AND g.name = x.name AND o.entity_id = g.id AND o.content = x.item
AND o.created_at <= x.removed_at"""
_PG_REMOVE_TAGS = f"""
DELETE FROM graph_tags t USING {_REMOVED_X}, graph_entities g WHERE x.item_kind = 'tag' AND g.namespace = x.namespace
AND g.name = x.name AND t.entity_id = g.id AND t.tag = x.item"""
# A tombstone refuses what its remover saw (a time up to the removal's), except in the pushes of
# the store that sent it: whatever that store sends after its own removal was written after it
# (its removal cleared its local copy, and pulled rows are never pushed back), even within the same
# millisecond, where times alone cannot tell the re-creation from the removed version.
_FOREIGN = "d.sync_store_id IS DISTINCT FROM %(store)s"
_NOT_REMOVED = ("NOT EXISTS (SELECT 1 FROM sync_tombstones d WHERE d.namespace = {a}.namespace AND d.name = {a}.name "
                "AND d.item_kind = '{kind}' AND d.item = {item} AND d.removed_at >= {at} AND " + _FOREIGN + ")")
_PG_NAMESPACES = """
INSERT INTO graph_namespaces (name, created_at)
SELECT namespace, min(created_at) FROM sync_in_entities x GROUP BY namespace
UNION ALL
SELECT t_ns, min(t_created_at) FROM sync_in_relations x
GROUP BY t_ns
ON CONFLICT (name) DO NOTHING"""
_PG_ENTITIES = f"""
INSERT INTO graph_entities AS g (uuid, namespace, name, kind, properties, confidence, pinned, created_at, updated_at,
                                 sync_store_id)
SELECT uuid, namespace, name, kind, properties, confidence, pinned, created_at, updated_at, %(store)s
FROM sync_in_entities x
WHERE {_NOT_REMOVED.format(a="x", kind="entity", item="''", at="x.updated_at")}
ORDER BY namespace, name
ON CONFLICT (namespace, name) DO UPDATE
SET kind = EXCLUDED.kind, properties = EXCLUDED.properties, confidence = EXCLUDED.confidence,
    pinned = EXCLUDED.pinned, updated_at = EXCLUDED.updated_at, sync_store_id = EXCLUDED.sync_store_id
WHERE (EXCLUDED.updated_at, EXCLUDED.sync_store_id) > (g.updated_at, coalesce(g.sync_store_id, %(zero)s))"""
# A relation's target the authority lacks arrives as a bare row (no store: any full state of it
# wins over it), so the relation can land in this batch; its own push fills it in. Targets already
# held are filtered out by a lookup first: a conflicting speculative insert costs far more.
_PG_TARGETS = f"""
INSERT INTO graph_entities AS g (uuid, namespace, name, kind, created_at, updated_at)
SELECT DISTINCT ON (t_ns, t_name) t_uuid, t_ns, t_name, t_kind, t_created_at, t_updated_at
FROM sync_in_relations x
WHERE NOT EXISTS (SELECT 1 FROM graph_entities h WHERE h.namespace = x.t_ns AND h.name = x.t_name)
AND NOT EXISTS (SELECT 1 FROM sync_tombstones d WHERE d.namespace = x.t_ns AND d.name = x.t_name
                AND d.item_kind = 'entity' AND d.removed_at >= x.t_updated_at AND {_FOREIGN})
ORDER BY t_ns, t_name
ON CONFLICT DO NOTHING"""
_WINNER = ("JOIN graph_entities g ON g.namespace = x.namespace AND g.name = x.name "
           "AND g.sync_store_id = %(store)s AND g.updated_at = x.updated_at")
_PG_PATTERNS = f"""
INSERT INTO graph_patterns AS p (id, title, content, pattern_type, scope)
SELECT g.id, x.title, x.content, x.pattern_type, x.scope FROM sync_in_entities x
{_WINNER} WHERE x.title IS NOT NULL
ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, content = EXCLUDED.content,
    pattern_type = EXCLUDED.pattern_type, scope = EXCLUDED.scope"""
_PG_OBSERVATIONS = f"""
INSERT INTO graph_observations (entity_id, content, created_at)
SELECT g.id, x.content, x.created_at
FROM sync_in_observations x
JOIN graph_entities g ON g.namespace = x.namespace AND g.name = x.name
WHERE {_NOT_REMOVED.format(a="x", kind="observation", item="x.content", at="x.created_at")}
AND {_NOT_REMOVED.format(a="x", kind="entity", item="''", at="x.created_at")}
ON CONFLICT (entity_id, content) DO NOTHING"""
_PG_TAGS = f"""
INSERT INTO graph_tags (entity_id, tag)
SELECT g.id, x.tag FROM sync_in_tags x
JOIN graph_entities g ON g.namespace = x.namespace AND g.name = x.name
WHERE {_NOT_REMOVED.format(a="x", kind="tag", item="x.tag", at="x.at")}
ON CONFLICT (entity_id, tag) DO NOTHING"""
_RELATIONS_IN = f"""
x AS (SELECT x.*, s.id AS source_id, t.id AS target_id
      FROM sync_in_relations x
      JOIN graph_entities s ON s.namespace = x.s_ns AND s.name = x.s_name
      JOIN graph_entities t ON t.namespace = x.t_ns AND t.name = x.t_name
      WHERE NOT EXISTS (SELECT 1 FROM sync_tombstones d WHERE d.item_kind = 'entity' AND d.item = ''
                        AND d.removed_at >= x.recorded_at AND {_FOREIGN}
                        AND ((d.namespace = x.s_ns AND d.name = x.s_name) OR (d.namespace = x.t_ns AND d.name = x.t_name))))"""
# A relation learned elsewhere ends here when the incoming one ended (two ends of one version: the
# earlier (valid_to, ended_at) stands, whichever arrives first); an incoming current fact
# that is later (valid_from, then uuid) than the current one ends that one; an earlier one arrives
# already ended by it. Nothing is overwritten: the history keeps both.
_PG_END_RELATIONS = f"""
WITH {_RELATIONS_IN}
UPDATE graph_relations r SET valid_to = x.valid_to, ended_at = x.ended_at
FROM x WHERE r.uuid = x.uuid AND x.valid_to IS NOT NULL
AND (r.valid_to IS NULL OR (x.valid_to, x.ended_at) < (r.valid_to, r.ended_at))"""
_PG_SUPERSEDE_RELATIONS = f"""
WITH {_RELATIONS_IN}
UPDATE graph_relations r SET valid_to = x.valid_from, ended_at = %(now)s
FROM x WHERE r.valid_to IS NULL AND x.valid_to IS NULL AND x.uuid <> r.uuid AND r.source_id = x.source_id
AND r.relation_type = x.relation_type AND r.target_id = x.target_id AND (r.valid_from, r.uuid) < (x.valid_from, x.uuid)
AND NOT EXISTS (SELECT 1 FROM graph_relations o WHERE o.uuid = x.uuid)"""
_PG_INSERT_RELATIONS = f"""
WITH {_RELATIONS_IN}
INSERT INTO graph_relations (uuid, source_id, relation_type, target_id, strength, confidence, properties, valid_from,
                             valid_to, recorded_at, ended_at)
SELECT x.uuid, x.source_id, x.relation_type, x.target_id, x.strength, x.confidence, x.properties, x.valid_from,
       coalesce(x.valid_to, c.valid_from), x.recorded_at, CASE WHEN x.valid_to IS NULL AND c.uuid IS NOT NULL
       THEN %(now)s ELSE x.ended_at END
FROM x LEFT JOIN graph_relations c ON x.valid_to IS NULL AND c.valid_to IS NULL AND c.source_id = x.source_id
     AND c.relation_type = x.relation_type AND c.target_id = x.target_id AND c.uuid <> x.uuid
ORDER BY x.valid_from
ON CONFLICT (uuid) DO NOTHING"""
# The entity is this store's echo when the authority now holds exactly what the store sent: it
# won the row, and the authority has no observation, tag or relation version the store lacks,
# and as many of each (so nothing the store sent was refused by a removal).
_PG_BUMP = """
WITH x AS MATERIALIZED (SELECT x.namespace, x.name, x.updated_at, x.n_obs, x.n_tags, x.n_rels, g.id,
                               g.sync_store_id = %(store)s AND g.updated_at = x.updated_at AS won
                        FROM sync_in_entities x JOIN graph_entities g ON g.namespace = x.namespace AND g.name = x.name),
o AS (SELECT x.id, count(*) AS n, count(p.content) AS matched FROM x JOIN graph_observations o ON o.entity_id = x.id
      LEFT JOIN sync_in_observations p ON p.namespace = x.namespace AND p.name = x.name AND p.content = o.content
      WHERE x.won GROUP BY x.id),
t AS (SELECT x.id, count(*) AS n, count(p.tag) AS matched FROM x JOIN graph_tags t ON t.entity_id = x.id
      LEFT JOIN sync_in_tags p ON p.namespace = x.namespace AND p.name = x.name AND p.tag = t.tag
      WHERE x.won GROUP BY x.id),
r AS (SELECT x.id, count(*) AS n, count(p.uuid) AS matched FROM x JOIN graph_relations r ON r.source_id = x.id
      LEFT JOIN sync_in_relations p ON p.uuid = r.uuid AND p.valid_to IS NOT DISTINCT FROM r.valid_to
      WHERE x.won GROUP BY x.id)
INSERT INTO sync_entity_changes (entity_id, sync_seq, sync_echo)
SELECT x.id, nextval('sync_change_seq'), CASE WHEN x.won
    AND coalesce(o.n, 0) = x.n_obs AND coalesce(o.matched, 0) = x.n_obs
    AND coalesce(t.n, 0) = x.n_tags AND coalesce(t.matched, 0) = x.n_tags
    AND coalesce(r.n, 0) = x.n_rels AND coalesce(r.matched, 0) = x.n_rels THEN %(store)s::uuid END
FROM x LEFT JOIN o ON o.id = x.id LEFT JOIN t ON t.id = x.id LEFT JOIN r ON r.id = x.id
ON CONFLICT (entity_id) DO UPDATE SET sync_seq = EXCLUDED.sync_seq, sync_echo = EXCLUDED.sync_echo"""
_PG_BUMP_REMOVED = """
INSERT INTO sync_entity_changes (entity_id, sync_seq, sync_echo)
SELECT g.id, nextval('sync_change_seq'), NULL
FROM (SELECT DISTINCT namespace, name FROM sync_in_removed WHERE item_kind <> 'entity') x
JOIN graph_entities g ON g.namespace = x.namespace AND g.name = x.name
WHERE NOT EXISTS (SELECT 1 FROM sync_in_entities e WHERE e.namespace = x.namespace AND e.name = x.name)
ON CONFLICT (entity_id) DO UPDATE SET sync_seq = EXCLUDED.sync_seq, sync_echo = NULL"""
ZERO_UUID = "00000000-0000-0000-0000-000000000000"
_MERGE = (_PG_TOMBSTONES, _PG_REMOVE_ENTITIES, _PG_REMOVE_SEEN, _PG_REMOVE_OBSERVATIONS, _PG_REMOVE_TAGS, _PG_NAMESPACES,
          _PG_ENTITIES, _PG_TARGETS, _PG_PATTERNS, _PG_OBSERVATIONS, _PG_TAGS, _PG_END_RELATIONS,
          _PG_SUPERSEDE_RELATIONS, _PG_INSERT_RELATIONS, _PG_BUMP, _PG_BUMP_REMOVED)
_REMOVALS = {_PG_TOMBSTONES, _PG_REMOVE_ENTITIES, _PG_REMOVE_SEEN, _PG_REMOVE_OBSERVATIONS, _PG_REMOVE_TAGS,
             _PG_BUMP_REMOVED}
_MERGE_NO_REMOVALS = tuple(statement for statement in _MERGE if statement not in _REMOVALS)


def merge(conn: Any, batch: Batch, store_id: str, now: str) -> None:
    """Merge one batch into the authority in one transaction (the caller commits): under the push
    lock, the entities the authority has never seen land directly (:mod:`.fresh`), the rest by the
    staging merge."""
    lookup, keys, relations, namespaces = fresh.lookup_params(batch)
    with conn.pipeline():                           # one round trip: the lock, the namespaces, the lookup
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (PUSH_LOCK,))
        if lookup.keys:
            conn.execute(fresh.NAMESPACES, (namespaces,))
        found = conn.execute(fresh.LOOKUP, (keys,)) if lookup.keys else None
        held = conn.execute(fresh.HELD_RELATIONS, (relations,)) if batch.relations else None
    part = fresh.split(batch, fresh.read_lookup(lookup, found.fetchall() if found else [],
                                                held.fetchall() if held else []), store_id)
    fresh.land(conn, part, store_id)
    rest = part.rest
    if not (rest.entities or rest.removed):
        return
    conn.execute(_STAGING_DDL)
    for name in STAGING:
        rows = _with_counts(rest) if name == "entities" else getattr(rest, name)
        if rows:
            copy_rows(conn, f"COPY sync_in_{name} FROM STDIN", rows)
    params = {"store": store_id, "zero": ZERO_UUID, "now": now}
    statements = _MERGE if rest.removed else _MERGE_NO_REMOVALS
    with conn.pipeline():                           # one round trip for every merge statement
        for statement in statements:
            conn.execute(statement, params)


def _with_counts(batch: Batch) -> list[tuple[Any, ...]]:
    """The entity rows with how many observations, tags and relations the store holds of each
    (what the echo check compares against)."""
    counts: dict[tuple[str, str], list[int]] = {(e[0], e[1]): [0, 0, 0] for e in batch.entities}
    for column, rows, at in ((0, batch.observations, 0), (1, batch.tags, 0), (2, batch.relations, 1)):
        for row in rows:
            counts[(row[at], row[at + 1])][column] += 1
    return [(*e, *counts[(e[0], e[1])]) for e in batch.entities]


def clear_marks(store: Store, batch: Batch) -> None:
    """Forget the marks and removals this batch sent, unless a later write moved them."""
    with store.transaction():
        store.conn.executemany("DELETE FROM tier2.sync_dirty WHERE namespace = ? AND name = ? AND seq = ?", batch.marks)
        store.conn.executemany(
            "DELETE FROM tier2.sync_removed WHERE namespace = ? AND name = ? AND item_kind = ? AND item = ? "
            "AND removed_at = ?",
            batch.removed)


"""Provenance links, workspace discoveries and pattern -> discovery links: pushed and pulled
beside the knowledge graph.

Keys: a provenance link by its uuid; a workspace discovery by its UNIQUE columns (NULLs equal); a
pattern -> discovery link (``graph_workspace_links``) by the pattern's (namespace, name), the
relationship type, the discovery's type and its UNIQUE columns.
Local triggers mark changed rows in ``sync_side_dirty``; a push sends the marked rows in one
authority transaction per batch (under the push lock, so the change numbers they get from
``sync_change_seq`` commit in order), then clears the marks no later write moved. A link the
authority does not hold whose ends name no graph entity cannot meet any rule (the union by uuid
reduces to "insert it"): such links are looked up by uuid under the lock, numbered, and COPYed
straight into ``provenance_links``; the rest take the staging table and the merge. A pull reads
the next run of change numbers after its own cursor (``sync_side_state.pulled_seq``) and applies
it in one local transaction with the cursor. Re-sending is a no-op, so a crash anywhere is
repaired by the next run.

Conflict rules: links are immutable facts, so they are a union by uuid. A discovery is one
register: the version with the greatest (``last_verified`` or else ``discovered_at``, stale mark,
store id) wins whole; a stale mark counts after the verification it marks, a later verification
clears it. A link end of type ``entity`` or ``pattern`` whose ref is a local entity id travels as
the entity's (namespace, name) and lands as the receiver's id for it; a pulled link whose entity
the store does not hold waits in ``sync_link_pending`` until a pull brings the entity.
Pattern -> discovery links are a union too (nothing removes one on its own: a removed pattern's
tombstone takes its links along wherever it lands), each with the earliest ``created_at`` any
store recorded for it; each lands as the receiver's ids for the pattern and the discovery, or
waits in ``sync_workspace_link_pending`` until both are there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from ..graph.workspace import JSON_COLUMNS, TABLES
from .pg_schema import copy_rows
from .push import PUSH_LOCK, TS, ZERO_UUID

if TYPE_CHECKING:
    from ..store import Store

LINKS = "provenance_links"
WLINKS = "graph_workspace_links"


@dataclass(frozen=True)
class _Workspace:
    """A workspace table as it syncs: its natural key and the columns that travel."""

    table: str
    key: tuple[str, ...]
    columns: tuple[str, ...]
    """Every synced column, key first (not the local id)."""


WORKSPACE = {t.name: _Workspace(t.name, t.key, (*t.key, *(c for c in t.columns if c not in t.key),
                                                "discovered_at", "last_verified", "stale_since"))
             for t in TABLES.values()}
_KINDS = {t.kind: t.name for t in TABLES.values()}
"""A workspace link's object type -> the discovery table it names."""
_PG_TYPES = {"port": "bigint", "table_count": "bigint", "components_count": "bigint", "routes_count": "bigint",
             "discovered_at": "float8", "last_verified": "float8", "stale_since": "float8",
             "schemas": "jsonb", "endpoints": "jsonb", "metadata": "jsonb"}


def _entity_key(side: str) -> str:
    """The local entity's [namespace, name] when the link end names one by its id, else NULL."""
    return (f"CASE WHEN l.{side}_type IN ('entity', 'pattern') THEN (SELECT json_array(e.namespace, e.name) "
            f"FROM tier2.graph_entities e WHERE e.id = CAST(l.{side}_ref AS INTEGER) "
            f"AND CAST(e.id AS TEXT) = l.{side}_ref) END")


_LOCAL_LINKS = (f"SELECT l.uuid, l.source_type, l.source_ref, l.target_type, l.target_ref, l.relation, l.confidence, "
                f"l.created_at, {_entity_key('source')}, {_entity_key('target')} FROM json_each(?) k "
                "JOIN tier2.provenance_links l ON l.uuid = k.value")
_LINK_STAGING = ("uuid uuid, source_type text, source_ref text, target_type text, target_ref text, relation text, "
                 "confidence float8, created_at timestamptz, source_key jsonb, target_key jsonb")
_PG_LINKS = """
INSERT INTO provenance_links (uuid, source_type, source_ref, target_type, target_ref, relation, confidence, created_at,
                              sync_store_id, sync_seq, sync_source_key, sync_target_key)
SELECT uuid, source_type, {source_ref}, target_type, {target_ref}, relation, confidence, created_at, %(store)s,
       nextval('sync_change_seq'), source_key, target_key
FROM sync_in_provenance_links x
ON CONFLICT (uuid) DO NOTHING""".format(**{
    f"{side}_ref": f"CASE WHEN x.{side}_key IS NULL THEN x.{side}_ref ELSE coalesce((SELECT g.id::text FROM graph_entities g "
                   f"WHERE g.namespace = x.{side}_key ->> 0 AND g.name = x.{side}_key ->> 1), x.{side}_ref) END"
    for side in ("source", "target")})


def _object_id(kind_expr: str, key_expr: str, schema: str, same: str, cast: bool) -> str:
    """SQL: the id of the discovery of type ``kind_expr`` whose UNIQUE columns are the JSON array
    ``key_expr`` (``same`` compares NULLs as equal; ``cast`` casts to the authority's types)."""
    whens = []
    for kind, table in _KINDS.items():
        key = WORKSPACE[table].key
        match = " AND ".join(f"w.{c} {same} ({key_expr} ->> {i})" + (f"::{_PG_TYPES.get(c, 'text')}" if cast else "")
                             for i, c in enumerate(key))
        whens.append(f"WHEN '{kind}' THEN (SELECT w.id FROM {schema}{table} w WHERE {match})")
    return f"CASE {kind_expr} {' '.join(whens)} END"


def _object_key_pg(kind_expr: str, id_expr: str) -> str:
    """SQL (authority): the JSON array of UNIQUE columns of the discovery a link names."""
    whens = [f"WHEN '{kind}' THEN (SELECT json_build_array({', '.join('w.' + c for c in WORKSPACE[table].key)}) "
             f"FROM {table} w WHERE w.id = {id_expr})" for kind, table in _KINDS.items()]
    return f"(CASE {kind_expr} {' '.join(whens)} END)::text"


_LOCAL_WLINKS = ("SELECT k.value ->> 0, k.value ->> 1, k.value ->> 2, k.value ->> 3, k.value -> 4, l.created_at "
                 "FROM json_each(?) k JOIN tier2.graph_entities e ON e.namespace = k.value ->> 0 AND e.name = "
                 "k.value ->> 1 JOIN tier2.graph_workspace_links l ON l.subject_pattern_id = e.id AND "
                 "l.relationship_type = k.value ->> 2 AND l.object_entity_type = k.value ->> 3 AND l.object_entity_id = "
                 + _object_id("k.value ->> 3", "(k.value -> 4)", "tier2.", "IS", cast=False))
_WLINK_STAGING = ("p_ns text, p_name text, relationship_type text, object_entity_type text, object_key jsonb, "
                  "created_at timestamptz")
# A link lands where the authority holds the pattern and the discovery (the graph and the
# discoveries are merged before it); one it already holds keeps the earliest created_at recorded
# anywhere (a union; the earlier time is renumbered so the other stores pull it).
_PG_WLINKS = ("INSERT INTO graph_workspace_links (subject_pattern_id, relationship_type, object_entity_type, "
              "object_entity_id, created_at, sync_store_id, sync_seq) "
              "SELECT p.id, x.relationship_type, x.object_entity_type, o.id, x.created_at, %(store)s, "
              "nextval('sync_change_seq') FROM sync_in_graph_workspace_links x "
              "JOIN graph_entities g ON g.namespace = x.p_ns AND g.name = x.p_name JOIN graph_patterns p ON p.id = g.id "
              "CROSS JOIN LATERAL (SELECT " + _object_id("x.object_entity_type", "x.object_key", "",
                                                         "IS NOT DISTINCT FROM", cast=True)
              + " AS id) o WHERE o.id IS NOT NULL "
              "ON CONFLICT (subject_pattern_id, relationship_type, object_entity_type, object_entity_id) DO UPDATE "
              "SET created_at = EXCLUDED.created_at, sync_store_id = EXCLUDED.sync_store_id, sync_seq = EXCLUDED.sync_seq "
              "WHERE EXCLUDED.created_at < graph_workspace_links.created_at")


# Of the given uuids, the ones the authority holds already (as a JSON array, usually null), and the
# last of a block of change numbers, one per uuid it does not hold. Numbers are drawn only under
# the push lock (every push takes it first), so the block is the run nextval .. that last value.
_FRESH_LINKS = """
SELECT held::text, CASE WHEN %(n)s > held_n
                   THEN setval('sync_change_seq', nextval('sync_change_seq') + %(n)s - held_n - 1) END
FROM (SELECT json_agg(k.u) AS held, count(*) AS held_n FROM json_array_elements_text(%(keys)s::json) AS k(u)
      WHERE EXISTS (SELECT 1 FROM provenance_links l WHERE l.uuid = k.u::uuid)) h"""
_COPY_LINKS = ("COPY provenance_links (uuid, source_type, source_ref, target_type, target_ref, relation, confidence, "
               "created_at, sync_store_id, sync_seq) FROM STDIN")


def _version(alias: str) -> str:
    return f"(coalesce({alias}.last_verified, {alias}.discovered_at), coalesce({alias}.stale_since, -1))"


def _pg_workspace(spec: _Workspace) -> str:
    cols = ", ".join(spec.columns)
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in spec.columns if c not in spec.key)
    return (f"INSERT INTO {spec.table} AS w ({cols}, sync_store_id, sync_seq) "
            f"SELECT {cols}, %(store)s, nextval('sync_change_seq') FROM sync_in_{spec.table} "
            f"ON CONFLICT ({', '.join(spec.key)}) DO UPDATE SET {sets}, sync_store_id = EXCLUDED.sync_store_id, "
            f"sync_seq = EXCLUDED.sync_seq WHERE ({_version('EXCLUDED')}, EXCLUDED.sync_store_id) > "
            f"({_version('w')}, coalesce(w.sync_store_id, %(zero)s))")


def _key_match(spec: _Workspace, alias: str) -> str:
    return " AND ".join(f"{alias}.{c} IS k.value ->> {i}" for i, c in enumerate(spec.key))


def json_text(value: Any) -> Any:
    """JSON text as PostgreSQL's JSONB takes it: plain text another tool wrote becomes a JSON string."""
    if not isinstance(value, str):
        return value if value is None or isinstance(value, bytes) else orjson.dumps(value).decode()
    try:
        orjson.loads(value)
        return value
    except orjson.JSONDecodeError:
        return orjson.dumps(value).decode()


def pending_push(store: Store) -> int:
    return int(store.execute("SELECT count(*) FROM tier2.sync_side_dirty")[0][0])


def pending_links(store: Store) -> int:
    return int(store.execute("SELECT (SELECT count(*) FROM tier2.sync_link_pending) + "
                             "(SELECT count(*) FROM tier2.sync_workspace_link_pending)")[0][0])


# -- push -------------------------------------------------------------------------------------------
# Oldest first, pattern -> discovery links after every other mark: a link lands only where the
# authority holds its discovery, so the discoveries go first (the graph, its patterns, before all).
_MARKS = (f"SELECT * FROM (SELECT table_name, row_key, seq FROM tier2.sync_side_dirty WHERE table_name <> '{WLINKS}' "
          f"ORDER BY seq LIMIT ?1) UNION ALL SELECT * FROM (SELECT table_name, row_key, seq FROM tier2.sync_side_dirty "
          f"WHERE table_name = '{WLINKS}' ORDER BY seq LIMIT ?1) LIMIT ?1")


def push(store: Store, conn: Any, store_id: str, limit: int) -> int:
    """Send every marked link and discovery, ``limit`` marks per authority transaction; rows sent."""
    sent = 0
    while store.execute("SELECT 1 FROM tier2.sync_side_dirty LIMIT 1"):   # no write lock when nothing is marked
        with store.transaction():
            marks = store.execute(_MARKS, (limit,))
            staged = _read(store, marks)
        sent += sum(len(rows) for rows in staged.values())
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (PUSH_LOCK,))
            if staged.get(LINKS):
                staged[LINKS] = _land_fresh_links(conn, staged[LINKS], store_id)
            for table in _SIDE:                          # discoveries before the links that name them
                if not (rows := staged.get(table)):
                    continue
                cols = {LINKS: _LINK_STAGING, WLINKS: _WLINK_STAGING}.get(table) or ", ".join(
                    f"{c} {_PG_TYPES.get(c, 'text')}" for c in WORKSPACE[table].columns)
                conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS sync_in_{table} ({cols}) ON COMMIT DELETE ROWS")
                copy_rows(conn, f"COPY sync_in_{table} FROM STDIN", rows)
                merge = {LINKS: _PG_LINKS, WLINKS: _PG_WLINKS}.get(table) or _pg_workspace(WORKSPACE[table])
                conn.execute(merge, {"store": store_id, "zero": ZERO_UUID})
        with store.transaction():
            store.conn.executemany("DELETE FROM tier2.sync_side_dirty WHERE table_name = ? AND row_key = ? AND seq = ?",
                                   marks)
    return sent


def _land_fresh_links(conn: Any, rows: list[tuple[Any, ...]], store_id: str) -> list[tuple[Any, ...]]:
    """COPY the links the authority does not hold and whose ends name no entity straight into
    ``provenance_links``, numbered; return the rest (for the staging merge). Under the push lock."""
    plain = {r[0]: r for r in rows if r[8] is None and r[9] is None}
    if not plain:
        return rows
    held_text, last = conn.execute(_FRESH_LINKS, {"keys": orjson.dumps(list(plain)).decode(),
                                                   "n": len(plain)}).fetchone()
    held = {u.replace("-", "") for u in orjson.loads(held_text or "[]")}
    fresh = [u for u in plain if u not in held]
    if fresh:
        copy_rows(conn, _COPY_LINKS, ((*plain[u][:8], store_id, seq)
                                      for u, seq in zip(fresh, range(last - len(fresh) + 1, last + 1), strict=True)))
    return [r for r in rows if r[0] not in plain or r[0] in held]


def _read(store: Store, marks: list[tuple[Any, ...]]) -> dict[str, list[tuple[Any, ...]]]:
    """The current rows of the marked keys, by table (a key whose row is gone sends nothing)."""
    keys: dict[str, list[Any]] = {}
    for table, key, _seq in marks:
        keys.setdefault(table, []).append(key if table == LINKS else orjson.loads(key))
    staged: dict[str, list[tuple[Any, ...]]] = {}
    for table, wanted in keys.items():
        doc = orjson.dumps(wanted).decode()
        if table == LINKS:
            staged[table] = list(store.execute(_LOCAL_LINKS, (doc,)))
            continue
        if table == WLINKS:
            staged[table] = list(store.execute(_LOCAL_WLINKS, (doc,)))
            continue
        spec = WORKSPACE.get(table)
        if spec is None:
            continue                                     # a table this version does not sync
        rows = store.execute(f"SELECT {', '.join('w.' + c for c in spec.columns)} FROM json_each(?) k "
                             f"JOIN tier2.{table} w ON {_key_match(spec, 'w')}", (doc,))
        json_at = [i for i, c in enumerate(spec.columns) if c in JSON_COLUMNS]
        staged[table] = [tuple(json_text(v) if i in json_at else v for i, v in enumerate(r)) for r in rows]
    return staged


# -- pull -------------------------------------------------------------------------------------------
_SIDE = (*WORKSPACE, LINKS, WLINKS)
NEXT = ("SELECT max(seq) FROM (SELECT seq FROM ("
        + " UNION ALL ".join(f"(SELECT sync_seq AS seq FROM {t} WHERE sync_seq > %(side_after)s ORDER BY sync_seq "
                             "LIMIT %(n)s)" for t in _SIDE)
        + ") s ORDER BY seq LIMIT %(n)s) s")
"""The end of the next run of about ``n`` change numbers after the side cursor, or NULL."""
_RANGE = "sync_seq > %(after)s AND sync_seq <= %(upto)s AND sync_store_id <> %(store)s"
_REMOTE_LINKS = (f"SELECT replace(uuid::text, '-', ''), source_type, source_ref, target_type, target_ref, relation, "
                 f"confidence, to_char(created_at AT TIME ZONE 'UTC', '{TS}'), sync_source_key::text, "
                 f"sync_target_key::text FROM provenance_links WHERE {_RANGE}")
_REMOTE_WLINKS = (f"SELECT g.namespace, g.name, l.relationship_type, l.object_entity_type, "
                  f"{_object_key_pg('l.object_entity_type', 'l.object_entity_id')}, "
                  f"to_char(l.created_at AT TIME ZONE 'UTC', '{TS}') FROM graph_workspace_links l "
                  "JOIN graph_entities g ON g.id = l.subject_pattern_id WHERE l.sync_seq > %(after)s "
                  "AND l.sync_seq <= %(upto)s AND l.sync_store_id <> %(store)s")
_LINK_FIELDS = ("uuid", "source_type", "source_ref", "target_type", "target_ref", "relation", "confidence",
                "created_at", "source_key", "target_key")


def cursor(store: Store) -> int:
    """How far this store has pulled the side tables (the authority's change number)."""
    return int(store.execute("SELECT pulled_seq FROM tier2.sync_side_state WHERE id = 1")[0][0])


def next_end(conn: Any, after: int, limit: int) -> int | None:
    """The end of the next run of about ``limit`` change numbers after the side cursor ``after``,
    or None when there are none (:data:`NEXT`)."""
    end: int | None = conn.execute(NEXT, {"side_after": after, "n": limit}).fetchone()[0]
    return end


def pull(store: Store, conn: Any, store_id: str, limit: int, upto: int | None) -> int:
    """Apply the authority's link and discovery changes after this store's cursor; rows applied.
    ``upto``: the end of the first run after the cursor (:func:`next_end`, or :data:`NEXT` asked
    beside other queries), None when there is nothing to pull."""
    applied = 0
    after = cursor(store)
    while upto is not None:
        args = {"after": after, "upto": upto, "store": store_id}
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            links = [dict(zip(_LINK_FIELDS, r, strict=True)) for r in conn.execute(_REMOTE_LINKS, args)]
            wlinks = conn.execute(_REMOTE_WLINKS, args).fetchall()
            found = {table: conn.execute(
                f"SELECT {', '.join(_remote(c) for c in spec.columns)}, sync_store_id::text FROM {table} WHERE {_RANGE}",
                args).fetchall() for table, spec in WORKSPACE.items()}
        with store.transaction():
            store.execute("UPDATE tier2.sync_state SET applying = 1 WHERE id = 1")
            for link in links:
                _land(store, link)
            for table, rows in found.items():
                for row in rows:
                    _apply_discovery(store, WORKSPACE[table], row, store_id)
            for ns, name, relationship, kind, key, created_at in wlinks:
                if key is not None:                  # else its discovery is gone from the authority too
                    _land_wlink(store, orjson.dumps([ns, name, relationship, kind, orjson.loads(key)]).decode(),
                                created_at)
            store.execute("UPDATE tier2.sync_state SET applying = 0 WHERE id = 1")
            store.execute("UPDATE tier2.sync_side_state SET pulled_seq = ? WHERE id = 1", (upto,))
        after = upto
        applied += len(links) + len(wlinks) + sum(len(rows) for rows in found.values())
        upto = next_end(conn, after, limit)
    if pending_links(store):
        with store.transaction():
            store.execute("UPDATE tier2.sync_state SET applying = 1 WHERE id = 1")
            for (text,) in store.execute("SELECT link FROM tier2.sync_link_pending"):
                _land(store, orjson.loads(text))
            for key, created_at in store.execute("SELECT row_key, created_at FROM tier2.sync_workspace_link_pending"):
                _land_wlink(store, key, created_at)
            store.execute("UPDATE tier2.sync_state SET applying = 0 WHERE id = 1")
    return applied


def _remote(column: str) -> str:
    return f"{column}::text" if column in JSON_COLUMNS else column


def _local_entity(store: Store, key: str | None) -> str | None:
    namespace, name = orjson.loads(key) if key else (None, None)
    rows = store.execute("SELECT id FROM tier2.graph_entities WHERE namespace = ? AND name = ?", (namespace, name))
    return str(rows[0][0]) if rows else None


def _land(store: Store, link: dict[str, Any]) -> None:
    """Insert one pulled link with its entity ends mapped to local ids, or keep it pending."""
    refs = {}
    for side in ("source", "target"):
        refs[side] = link[f"{side}_ref"]
        if link[f"{side}_key"]:
            local = _local_entity(store, link[f"{side}_key"])
            if local is None:
                store.execute("INSERT OR REPLACE INTO tier2.sync_link_pending (uuid, link) VALUES (?, ?)",
                              (link["uuid"], orjson.dumps(link).decode()))
                return
            refs[side] = local
    store.execute("INSERT OR IGNORE INTO tier2.provenance_links (uuid, source_type, source_ref, target_type, target_ref, "
                  "relation, confidence, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                  (link["uuid"], link["source_type"], refs["source"], link["target_type"], refs["target"],
                   link["relation"], link["confidence"], link["created_at"]))
    store.execute("DELETE FROM tier2.sync_link_pending WHERE uuid = ?", (link["uuid"],))


_LAND_WLINK = ("INSERT INTO tier2.graph_workspace_links (subject_pattern_id, relationship_type, "
               "object_entity_type, object_entity_id, created_at) SELECT pid, relationship, kind, oid, ? FROM ("
               "SELECT p.id AS pid, k.value ->> 2 AS relationship, k.value ->> 3 AS kind, "
               + _object_id("k.value ->> 3", "(k.value -> 4)", "tier2.", "IS", cast=False)
               + " AS oid FROM json_each(?) k JOIN tier2.graph_entities e ON e.namespace = k.value ->> 0 "
               "AND e.name = k.value ->> 1 JOIN tier2.graph_patterns p ON p.id = e.id) WHERE oid IS NOT NULL "
               "ON CONFLICT (subject_pattern_id, relationship_type, object_entity_type, object_entity_id) DO UPDATE "
               "SET created_at = excluded.created_at WHERE excluded.created_at < graph_workspace_links.created_at")


def _land_wlink(store: Store, key: str, created_at: str) -> None:
    """Insert one pulled pattern -> discovery link as this store's ids, or keep it pending until
    the store holds both the pattern and the discovery."""
    doc = f"[{key}]"
    store.execute(_LAND_WLINK, (created_at, doc))
    if store.execute(_LOCAL_WLINKS, (doc,)):
        store.execute("DELETE FROM tier2.sync_workspace_link_pending WHERE row_key = ?", (key,))
    else:
        store.execute("INSERT OR REPLACE INTO tier2.sync_workspace_link_pending (row_key, created_at) VALUES (?, ?)",
                      (key, created_at))


def _apply_discovery(store: Store, spec: _Workspace, row: tuple[Any, ...], store_id: str) -> None:
    """The pulled version replaces the local one unless a local change not pushed yet is later."""
    values, source = dict(zip(spec.columns, row[:-1], strict=True)), row[-1]
    key = [values[c] for c in spec.key]
    match = " AND ".join(f"{c} IS ?" for c in spec.key)
    local = store.execute(f"SELECT id, coalesce(last_verified, discovered_at), coalesce(stale_since, -1) "
                          f"FROM tier2.{spec.table} WHERE {match}", key)
    mark = f"table_name = ? AND row_key = json_array({', '.join('?' * len(key))})"
    if local:
        dirty = store.execute(f"SELECT 1 FROM tier2.sync_side_dirty WHERE {mark}", (spec.table, *key))
        incoming = (_number(values["last_verified"], values["discovered_at"]), _number(values["stale_since"], -1))
        if dirty and (incoming, source) <= ((local[0][1], local[0][2]), store_id):
            return                                       # our later change stands; the next push sends it
        rest = [c for c in spec.columns if c not in spec.key]
        store.execute(f"UPDATE tier2.{spec.table} SET {', '.join(c + ' = ?' for c in rest)} WHERE id = ?",
                      [*(values[c] for c in rest), local[0][0]])
    else:
        store.execute(f"INSERT INTO tier2.{spec.table} ({', '.join(spec.columns)}) "
                      f"VALUES ({', '.join('?' * len(spec.columns))})", [values[c] for c in spec.columns])
    store.execute(f"DELETE FROM tier2.sync_side_dirty WHERE {mark}", (spec.table, *key))  # it equals the authority's


def _number(value: Any, default: float) -> float:
    return float(value) if value is not None else float(default)

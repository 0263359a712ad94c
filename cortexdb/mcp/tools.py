"""The reference knowledge-graph memory server's nine tools as plain functions over a Store.

Each function takes and returns exactly what the reference ``@modelcontextprotocol/server-memory``
takes and returns (``{name, entityType, observations}`` entities, ``{from, to, relationType}``
relations), mapped onto the cortexdb knowledge graph of one namespace: entity name ->
``graph_entities.name``, entityType -> ``kind``, observations -> graph observations (insertion
order), relations -> the current graph relations. Every call is one transaction with batch SQL,
so a failing call writes nothing and several processes can share one store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import orjson

from .._boundary import public_api
from ..errors import NotFoundError, ValidationError, wrap_apsw
from ..graph import _common as c
from ..graph import vectors as graph_vectors

if TYPE_CHECKING:
    from ..store import Store

Entity = dict[str, Any]
Relation = dict[str, str]
Row = tuple[Any, ...]
"""An entity row of a page: (id, name, kind), or (id,) for the JSON results (SQLite reads the rest)."""
T = TypeVar("T")

DEFAULT_READ_LIMIT = 50_000
"""read_graph returns at most this many entities per call (then ``nextCursor``)."""
DEFAULT_SEARCH_LIMIT = 1_000
"""search_nodes returns at most this many entities per call (then ``nextCursor``)."""
PAGE_BYTES = 3_000_000
"""A read_graph / search_nodes page also stops before its entities and relations pass this many
bytes of compact JSON. The reply carries them twice (text and structuredContent), so it stays under
the 10 MB message limit of the TypeScript SDK client that most assistants embed."""
MAX_LIMIT = 100_000
MAX_RELATIONS = 500_000
"""At most this many relations accompany one page of entities."""
TRIGRAM_MIN = 3
"""Queries of at least this many characters use the trigram index; shorter ones a LIKE scan."""

_ENTITY_OBSERVATIONS = "(SELECT content FROM tier2.graph_observations WHERE entity_id = j.value ->> 0 ORDER BY id)"
_INSERT_ENTITIES = (
    "INSERT INTO tier2.graph_entities (id, uuid, namespace, name, kind, body, observations_jsonl, created_at, updated_at) "
    f"SELECT j.value ->> 0, {c.UUID7_SQL}, ?2, j.value ->> 1, j.value ->> 2, "
    # exactly the body and observations_jsonl graph_observations' triggers compute (insertion order)
    f"trim(char(10) || coalesce((SELECT group_concat(content, char(10)) FROM {_ENTITY_OBSERVATIONS}), ''), char(10)), "
    f"(SELECT group_concat(json_quote(content), char(10)) FROM {_ENTITY_OBSERVATIONS}), ?3, ?3 "
    "FROM json_each(?1) j")
# OR IGNORE skips a relation that is already current (graph_relations_key); nothing else can
# conflict once the input is validated. RETURNING tells which were new.
_INSERT_RELATIONS = (
    "INSERT OR IGNORE INTO tier2.graph_relations (uuid, source_id, relation_type, target_id, valid_from, recorded_at) "
    f"SELECT {c.UUID7_SQL}, j.value ->> 0, j.value ->> 1, j.value ->> 2, ?2, ?2 FROM json_each(?1) j "
    "RETURNING source_id, relation_type, target_id")
_IDS_BY_NAME = ("SELECT name, id FROM tier2.graph_entities WHERE namespace = ?1 AND name IN "
                "(SELECT value FROM json_each(?2))")
_OBSERVATIONS = ("SELECT entity_id, content FROM tier2.graph_observations WHERE entity_id IN "
                 "(SELECT value FROM json_each(?)) ORDER BY id")
# Current relations from the entities ?1, then those into them from elsewhere (so none twice), in
# creation order: two index walks and a merge, no per-row probe of a temp set. The matched
# entities' names are read once (m), so each relation row looks up only its far end's name, in the
# narrow (id, name) index. On the source side "current" is read from the key index's own
# expression (valid_to IS NULL exactly when it is ''), and the target index holds source, type and
# valid_to, so neither walk reads the relation rows.
_NAMES = "tier2.graph_entities {} INDEXED BY graph_entities_names"
_RELATIONS_TOUCHING = (
    "WITH m(id, name) AS MATERIALIZED (SELECT e.id, e.name FROM json_each(?1) j "
    f"JOIN {_NAMES.format('e')} ON e.id = j.value) "
    "SELECT m.name AS sn, t.name AS tn, r.relation_type AS rt, r.id AS id FROM m CROSS JOIN tier2.graph_relations r "
    "ON r.source_id = m.id AND (CASE WHEN r.valid_to IS NULL THEN '' ELSE r.uuid END) = '' "
    f"JOIN {_NAMES.format('t')} ON t.id = r.target_id "
    "UNION ALL SELECT s.name, m.name, r.relation_type, r.id FROM m CROSS JOIN tier2.graph_relations r "
    "INDEXED BY graph_relations_target ON r.target_id = m.id AND r.valid_to IS NULL "
    f"AND r.source_id NOT IN (SELECT id FROM m) JOIN {_NAMES.format('s')} ON s.id = r.source_id ORDER BY 4")
# At most ?2 of them. The LIMIT stays outside the ordered query: ORDER BY ... LIMIT makes SQLite
# keep its sort in a temporary b-tree (to drop the largest rows as it goes), slower than its sorter.
_RELATIONS_TOUCHING_FIRST = f"SELECT * FROM ({_RELATIONS_TOUCHING}) LIMIT ?2"
# The current relations whose source is in the id range ?2..?3 of namespace ?1 (a read_graph page).
_RELATIONS_FROM_PAGE = (
    "SELECT s.name AS sn, t.name AS tn, r.relation_type AS rt, r.id AS id FROM tier2.graph_relations r "
    f"JOIN tier2.graph_entities s ON s.id = r.source_id JOIN {_NAMES.format('t')} ON t.id = r.target_id "
    "WHERE r.valid_to IS NULL AND s.namespace = ?1 AND r.source_id BETWEEN ?2 AND ?3 ORDER BY r.id")

# Results are built as JSON text by SQLite itself: the compact form (structuredContent) and the
# form JSON.stringify(value, null, 2) gives (text content) in one pass over the rows, each string
# quoted once by json_quote (which escapes exactly as JSON.stringify and orjson do), so no row
# becomes a Python object. An aggregate (or a LIMIT) over an ordered subquery takes its rows in
# that order (as the graph's body triggers rely on too). Each item is one printf (a chain of
# ``||`` copies the growing string at every step). An entity's observations are read already
# quoted, one per line in insertion order (``graph_entities.observations_jsonl``, kept by the
# observation triggers; a quoted JSON string never holds a newline), and the separators of
# either form replace the newlines.
_NL = "char(10)"
_ENTITIES_JSON = (
    "SELECT '[' || group_concat(printf('{\"name\":%s,\"entityType\":%s,\"observations\":[%s]}', n, y, "
    f"coalesce(replace(o, {_NL}, ','), '')), ',') || ']', "
    f"group_concat(printf('    {{' || {_NL} || '      \"name\": %s,' || {_NL} || '      \"entityType\": %s,' || {_NL} || "
    f"'      \"observations\": %s' || {_NL} || '    }}', n, y, coalesce('[' || {_NL} || '        ' || "
    f"replace(o, {_NL}, ',' || {_NL} || '        ') || {_NL} || '      ]', '[]')), ',' || {_NL}) "
    "FROM (SELECT json_quote(e.name) AS n, json_quote(e.kind) AS y, e.observations_jsonl AS o "
    "FROM json_each(?1) j JOIN tier2.graph_entities e ON e.id = j.value ORDER BY j.key)")


def _relations_json(rows_sql: str, limit: str = "") -> str:
    """The compact and indented JSON arrays of the relations ``rows_sql`` yields as (sn: from
    name, tn: to name, rt: relationType, id), in id order, the first ``limit`` (SQL) if given."""
    return (
        "SELECT '[' || group_concat(printf('{\"from\":%s,\"to\":%s,\"relationType\":%s}', f, t, r), ',') || ']', "
        "group_concat(printf('    {' || char(10) || '      \"from\": %s,' || char(10) || '      \"to\": %s,' || char(10) || "
        "'      \"relationType\": %s' || char(10) || '    }', f, t, r), ',' || char(10)) "
        f"FROM (SELECT json_quote(sn) AS f, json_quote(tn) AS t, json_quote(rt) AS r FROM ({rows_sql}){limit})")


_RELATIONS_TOUCHING_JSON = _relations_json(_RELATIONS_TOUCHING, " LIMIT ?2")
_RELATIONS_FROM_PAGE_JSON = _relations_json(_RELATIONS_FROM_PAGE)


JSONArrays = tuple[str | None, str | None]
"""A JSON array built by SQLite: (compact, the indented items), None for an empty array."""


@dataclass(frozen=True)
class GraphJSON:
    """A read_graph / search_nodes / open_nodes result as JSON text: ``compact`` (what
    structuredContent carries) and ``text``, the same value as ``JSON.stringify(value, null, 2)``
    (the reference's text content)."""

    compact: str
    text: str

    def value(self) -> dict[str, Any]:
        out: dict[str, Any] = orjson.loads(self.compact)
        return out


def _graph_json(entities: JSONArrays, relations: JSONArrays, next_cursor: str | None) -> GraphJSON:
    """Assemble ``{entities, relations[, nextCursor]}`` from the arrays SQLite built (None: empty)."""
    def indented(fragment: str | None) -> str:
        return f"[\n{fragment}\n  ]" if fragment else "[]"

    compact = f'{{"entities":{entities[0] or "[]"},"relations":{relations[0] or "[]"}'
    text = f'{{\n  "entities": {indented(entities[1])},\n  "relations": {indented(relations[1])}'
    if next_cursor is not None:
        compact += f',"nextCursor":"{next_cursor}"'
        text += f',\n  "nextCursor": "{next_cursor}"'
    return GraphJSON(compact + "}", text + "\n}")


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def insert_relations(store: Store, keys: Sequence[tuple[int, str, int]], now: str) -> set[tuple[int, str, int]]:
    """Insert current relations ``(source_id, relation_type, target_id)`` in one statement, those
    already current skipped; returns the keys inserted."""
    if not keys:
        return set()
    with wrap_apsw():
        return set(store.conn.execute(_INSERT_RELATIONS, (_dumps(list(keys)), now)))


def insert_entities(store: Store, namespace: str, items: Sequence[tuple[str, str, Sequence[str]]], now: str) -> list[int]:
    """Insert new entities (name, kind, observations) in the current write transaction; returns ids.

    The observations go in first (foreign keys deferred to the commit) and each entity row is
    then inserted with its finished body, so the FTS indexes see one insert per entity instead
    of a delete + insert per observation (the graph's body triggers find no row to update yet).
    Each table gets one statement (see :func:`cortexdb.graph._common.add_observations`).
    """
    if not items:
        return []
    conn = store.conn
    with wrap_apsw():
        first = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM tier2.graph_entities").get
        ids = list(range(first, first + len(items)))
        pairs = [(entity_id, o) for entity_id, (_, _, obs) in zip(ids, items, strict=True) for o in obs]
        if pairs:
            conn.execute("PRAGMA defer_foreign_keys = ON")  # switched off again at COMMIT / ROLLBACK
            c.add_observations(store, pairs, now)
        conn.execute(_INSERT_ENTITIES, (_dumps([(entity_id, name, kind) for entity_id, (name, kind, _) in zip(ids, items, strict=True)]),
                                        namespace, now))
    if store.embedder is not None:
        graph_vectors.write(store, ids, {}, embed_missing=range(len(ids)))
    return ids


# -- validation (the reference's zod schemas, plus what the graph needs) ----------------------------

def _items(field: str, value: Any) -> list[Any]:
    if type(value) is list:  # what JSON gives: skip the slower ABC checks below
        return value
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise ValidationError(field, f"must be an array, got {type(value).__name__}")
    return list(value)


def _obj(field: str, value: Any, keys: Sequence[str]) -> Mapping[str, Any]:
    if type(value) is not dict and not isinstance(value, Mapping):
        raise ValidationError(field, f"must be an object with {', '.join(keys)}")
    missing = [k for k in keys if k not in value]
    if missing:
        raise ValidationError(field, f"is missing {', '.join(missing)}")
    return value


def _name(field: str, value: Any) -> str:
    return c.text(field, value, max_len=1000)


def _entity_type(field: str, value: Any) -> str:
    return c.text(field, value, max_len=100)


PATTERN_MESSAGE = ("'pattern' is reserved for cortexdb patterns (db.graph.add_pattern); create the entity "
                   "with another entityType, e.g. 'pattern_note'")


def _texts(field: str, value: Any) -> list[str]:
    return [c.text(field, v, max_len=100_000) for v in _items(field, value)]


def _entity_input(index: int, value: Any) -> tuple[str, str, list[str]]:
    field = f"entities[{index}]"
    item = _obj(field, value, ("name", "entityType", "observations"))
    return (_name(f"{field}.name", item["name"]), _entity_type(f"{field}.entityType", item["entityType"]),
            list(dict.fromkeys(_texts(f"{field}.observations", item["observations"]))))


def _relation_input(field: str, value: Any) -> tuple[str, str, str]:
    item = _obj(field, value, ("from", "to", "relationType"))
    return (_name(f"{field}.from", item["from"]), _name(f"{field}.to", item["to"]),
            c.text(f"{field}.relationType", item["relationType"], max_len=100))


def _limit(field: str, value: Any, maximum: int = MAX_LIMIT) -> int:
    return c.positive(field, value, maximum=maximum)


def _cursor(value: Any) -> int:
    """Cursors are opaque to clients: ``nextCursor`` of the previous page (the last entity id)."""
    if value is None or value == "":
        return 0
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value)
    raise ValidationError("cursor", f"{value!r} is not a cursor returned by this server; omit it to start over")


@public_api
class MemoryTools:
    """The nine reference memory tools over the knowledge graph of ``store`` in ``namespace``.

    Results are plain JSON-ready dicts/lists shaped like the reference server's results.
    """

    def __init__(self, store: Store, *, namespace: str = "default") -> None:
        self.store = store
        self.namespace = c.namespace_name(namespace)

    # -- helpers -------------------------------------------------------------------------------------
    def _ids(self, names: Iterable[str]) -> dict[str, int]:
        return dict(self.store.execute(_IDS_BY_NAME, (self.namespace, _dumps(list(names)))))

    def _writable_namespace(self) -> None:
        c.require_namespace(self.store, self.namespace)

    def _entities_json(self, page: list[Row]) -> JSONArrays:
        """The page's entities (observations in insertion order) as JSON arrays."""
        if not page:
            return None, None
        compact, text = self.store.execute(_ENTITIES_JSON, (_dumps([row[0] for row in page]),))[0]
        return compact, text

    # -- writes --------------------------------------------------------------------------------------
    def create_entities(self, entities: Any) -> list[Entity]:
        """Create the entities whose names are new; existing names (and repeats within the call)
        are ignored. Returns the entities created."""
        wanted = [_entity_input(i, e) for i, e in enumerate(_items("entities", entities))]
        store = self.store
        created: list[Entity] = []
        with store.transaction():
            self._writable_namespace()
            existing = set(self._ids(name for name, _, _ in wanted))
            fresh = []
            for name, kind, observations in wanted:
                if name not in existing:
                    existing.add(name)
                    fresh.append((name, kind, observations))
            if not fresh:
                return []
            for name, kind, _ in fresh:
                if kind == "pattern":
                    raise ValidationError("entityType", f"{name!r}: {PATTERN_MESSAGE}")
            insert_entities(store, self.namespace, fresh, store.timestamp())
            created = [{"name": name, "entityType": kind, "observations": obs} for name, kind, obs in fresh]
        return created

    def create_relations(self, relations: Any) -> list[Relation]:
        """Create relations not already current; repeats within the call are stored once. Both
        endpoints must exist (else the call fails and writes nothing). Returns those created."""
        wanted = list(dict.fromkeys(_relation_input(f"relations[{i}]", r)
                                    for i, r in enumerate(_items("relations", relations))))
        for source, target, _ in wanted:
            if source == target:
                raise ValidationError("relations", f"a relation cannot link {source!r} to itself")
        store = self.store
        with store.transaction():
            ids = self._ids({n for s, t, _ in wanted for n in (s, t)})
            missing = sorted({n for s, t, _ in wanted for n in (s, t)} - set(ids))
            if missing:
                raise NotFoundError(f"Entities not found: {', '.join(map(repr, missing[:20]))}"
                                    f"{' ...' if len(missing) > 20 else ''}; create them with create_entities first")
            keyed = [(ids[s], r, ids[t]) for s, t, r in wanted]
            inserted = insert_relations(store, keyed, store.timestamp())
        return [{"from": s, "to": t, "relationType": r} for key, (s, t, r) in zip(keyed, wanted, strict=True) if key in inserted]

    def add_observations(self, observations: Any) -> list[dict[str, Any]]:
        """Add observations not already present. An unknown entity fails the whole call (nothing
        written). Returns ``[{entityName, addedObservations}]`` in input order."""
        wanted = []
        for i, item in enumerate(_items("observations", observations)):
            field = f"observations[{i}]"
            obj = _obj(field, item, ("entityName", "contents"))
            wanted.append((_name(f"{field}.entityName", obj["entityName"]), _texts(f"{field}.contents", obj["contents"])))
        store = self.store
        results = []
        with store.transaction():
            ids = self._ids(name for name, _ in wanted)
            for name, _ in wanted:
                if name not in ids:
                    raise NotFoundError(f"Entity with name {name} not found")
            present: dict[int, set[str]] = {i: set() for i in ids.values()}
            if ids:
                for entity_id, content in store.execute(_OBSERVATIONS, (_dumps(list(present)),)):
                    present[entity_id].add(content)
            now = store.timestamp()
            rows: list[tuple[int, str]] = []
            touched = set()
            for name, contents in wanted:
                entity_id, added = ids[name], []
                seen = present[entity_id]
                for content in contents:
                    if content not in seen:
                        seen.add(content)
                        added.append(content)
                        rows.append((entity_id, content))
                if added:
                    touched.add(entity_id)
                results.append({"entityName": name, "addedObservations": added})
            if rows:
                c.add_observations(store, rows, now)
                store.execute("UPDATE tier2.graph_entities SET updated_at = ? WHERE id IN (SELECT value FROM json_each(?))",
                              (now, _dumps(sorted(touched))))
                if store.embedder is not None:
                    graph_vectors.write(store, sorted(touched), {}, embed_missing=range(len(touched)))
        return results

    def delete_entities(self, entity_names: Any) -> None:
        """Delete entities with their observations and every relation touching them; names not
        found are ignored."""
        names = [_name("entityNames", n) for n in _items("entityNames", entity_names)]
        with self.store.transaction():
            self.store.execute("DELETE FROM tier2.graph_entities WHERE namespace = ? AND name IN "
                               "(SELECT value FROM json_each(?))", (self.namespace, _dumps(names)))

    def delete_observations(self, deletions: Any) -> None:
        """Delete observations by exact text; missing entities or observations are ignored."""
        rows: list[tuple[str, str]] = []
        for i, item in enumerate(_items("deletions", deletions)):
            field = f"deletions[{i}]"
            obj = _obj(field, item, ("entityName", "observations"))
            name = _name(f"{field}.entityName", obj["entityName"])
            rows.extend((name, o) for o in _texts(f"{field}.observations", obj["observations"]))
        if not rows:
            return
        store = self.store
        with store.transaction():
            ids = self._ids({name for name, _ in rows})
            pairs = [(ids[name], content) for name, content in rows if name in ids]
            if pairs:  # one statement: see c.add_observations
                store.execute("DELETE FROM tier2.graph_observations WHERE id IN (SELECT o.id FROM json_each(?) j "
                              "JOIN tier2.graph_observations o ON o.entity_id = j.value ->> 0 AND o.content = j.value ->> 1)",
                              (_dumps(pairs),))
                store.execute("UPDATE tier2.graph_entities SET updated_at = ? WHERE id IN (SELECT value FROM json_each(?))",
                              (store.timestamp(), _dumps(sorted({p[0] for p in pairs}))))

    def delete_relations(self, relations: Any) -> None:
        """End the given current relations (kept as history, gone from every read); missing ones
        are ignored."""
        wanted = [_relation_input(f"relations[{i}]", r) for i, r in enumerate(_items("relations", relations))]
        if not wanted:
            return
        store = self.store
        with store.transaction():
            ids = self._ids({n for s, t, _ in wanted for n in (s, t)})
            keyed = [(ids[s], r, ids[t]) for s, t, r in wanted if s in ids and t in ids]
            if keyed:
                now = store.timestamp()
                store.execute(
                    "UPDATE tier2.graph_relations SET valid_to = max(valid_from, ?1), ended_at = ?1 WHERE id IN ("
                    "SELECT r.id FROM json_each(?2) j JOIN tier2.graph_relations r ON r.source_id = j.value ->> 0 "
                    "AND r.relation_type = j.value ->> 1 AND r.target_id = j.value ->> 2 AND r.valid_to IS NULL)",
                    (now, _dumps(keyed)))

    # -- reads ---------------------------------------------------------------------------------------
    # Each read selects its page's entity rows once, then builds the result either as Python values
    # (the methods without _json, for in-process callers) or as JSON text built by SQLite (the
    # _json methods, what the MCP server sends): the same page, the same order, the same bytes
    # once encoded (tests/mcp/test_mcp_graph_json.py).
    def read_graph(self, *, limit: int = DEFAULT_READ_LIMIT, cursor: str | None = None) -> dict[str, Any]:
        """The graph, a page of at most ``limit`` entities (by creation order) with every current
        relation whose source is among them; ``nextCursor`` is set when more entities follow."""
        rows = self._graph_rows(limit, cursor)
        return _dict_page(rows, limit, lambda page: (self._entities(page), self._relations_from(page)))

    def read_graph_json(self, *, limit: int = DEFAULT_READ_LIMIT, cursor: str | None = None) -> GraphJSON:
        """:meth:`read_graph` as JSON text built by SQLite."""
        rows = self._graph_rows(limit, cursor)
        return _json_page(rows, limit, lambda page: (self._entities_json(page), self._relations_from_json(page)))

    def search_nodes(self, query: Any, *, limit: int = DEFAULT_SEARCH_LIMIT, cursor: str | None = None) -> dict[str, Any]:
        """Entities whose name, entityType or an observation contains ``query`` (case-insensitive
        substring, as the reference), in creation order, at most ``limit`` (then ``nextCursor``),
        with every current relation touching one of them."""
        return _dict_page(self._search_rows(query, limit, cursor), limit, self._touching)

    def search_nodes_json(self, query: Any, *, limit: int = DEFAULT_SEARCH_LIMIT, cursor: str | None = None) -> GraphJSON:
        """:meth:`search_nodes` as JSON text built by SQLite."""
        return _json_page(self._search_rows(query, limit, cursor, ids_only=True), limit, self._touching_json)

    def open_nodes(self, names: Any) -> dict[str, Any]:
        """The named entities (missing names skipped) with every current relation touching one of them."""
        rows = self._named_rows(names)
        return _dict_page(rows, len(rows), self._touching)

    def open_nodes_json(self, names: Any) -> GraphJSON:
        """:meth:`open_nodes` as JSON text built by SQLite."""
        rows = self._named_rows(names)
        return _json_page(rows, len(rows), self._touching_json)

    def _graph_rows(self, limit: int, cursor: str | None) -> list[Row]:
        _limit("limit", limit)
        return self.store.execute("SELECT id, name, kind FROM tier2.graph_entities WHERE +namespace = ? AND id > ? "
                                  "ORDER BY id LIMIT ?", (self.namespace, _cursor(cursor), limit + 1))

    def _search_rows(self, query: Any, limit: int, cursor: str | None, *, ids_only: bool = False) -> list[Row]:
        """The matching entities' rows; ``ids_only``: (id,), so a trigram match reads only the
        namespace of each entity row."""
        if not isinstance(query, str):
            raise ValidationError("query", f"must be a string, got {type(query).__name__}")
        _limit("limit", limit)
        after = _cursor(cursor)
        if "\x00" in query:  # stored text never holds NUL: nothing can match
            return []
        if len(query) >= TRIGRAM_MIN:
            # A quoted trigram phrase is a case-insensitive substring match (quotes doubled).
            match = '"' + query.replace('"', '""') + '"'
            return self.store.execute(
                f"SELECT {'e.id' if ids_only else 'e.id, e.name, e.kind'} FROM tier2.graph_substring s "
                "JOIN tier2.graph_entities e ON e.id = s.rowid "
                "WHERE graph_substring MATCH ?1 AND s.rowid > ?2 AND e.namespace = ?3 ORDER BY s.rowid LIMIT ?4",
                (match, after, self.namespace, limit + 1))
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return self.store.execute(
            "SELECT id, name, kind FROM tier2.graph_entities WHERE +namespace = ?1 AND id > ?2 AND "
            "(name LIKE ?3 ESCAPE '\\' OR kind LIKE ?3 ESCAPE '\\' OR body LIKE ?3 ESCAPE '\\') "
            "ORDER BY id LIMIT ?4", (self.namespace, after, pattern, limit + 1))

    def _named_rows(self, names: Any) -> list[Row]:
        wanted = [_name("names", n) for n in _items("names", names)]
        return self.store.execute(
            "SELECT id, name, kind FROM tier2.graph_entities WHERE namespace = ?1 AND name IN "
            "(SELECT value FROM json_each(?2)) ORDER BY id", (self.namespace, _dumps(wanted)))

    # page builders: Python values
    def _entities(self, page: list[Row]) -> list[Entity]:
        observations: dict[int, list[str]] = {row[0]: [] for row in page}
        if page:
            for entity_id, content in self.store.execute(_OBSERVATIONS, (_dumps(list(observations)),)):
                observations[entity_id].append(content)
        return [{"name": name, "entityType": kind, "observations": observations[entity_id]}
                for entity_id, name, kind in page]

    def _relation_dicts(self, sql: str, args: tuple[Any, ...]) -> list[Relation]:
        return [{"from": s, "to": t, "relationType": r} for s, t, r, _ in self.store.execute(sql, args)]

    def _relations_from(self, page: list[Row]) -> list[Relation]:
        return self._relation_dicts(_RELATIONS_FROM_PAGE, (self.namespace, page[0][0], page[-1][0])) if page else []

    def _touching(self, page: list[Row]) -> tuple[list[Entity], list[Relation]]:
        relations = self._relation_dicts(_RELATIONS_TOUCHING_FIRST, (_dumps([r[0] for r in page]), MAX_RELATIONS)) if page else []
        return self._entities(page), relations

    # page builders: JSON text
    def _relations_from_json(self, page: list[Row]) -> JSONArrays:
        if not page:
            return None, None
        compact, text = self.store.execute(_RELATIONS_FROM_PAGE_JSON, (self.namespace, page[0][0], page[-1][0]))[0]
        return compact, text

    def _touching_json(self, page: list[Row]) -> tuple[JSONArrays, JSONArrays]:
        relations: JSONArrays = (None, None)
        if page:
            relations = self.store.execute(_RELATIONS_TOUCHING_JSON, (_dumps([r[0] for r in page]), MAX_RELATIONS))[0]
        return self._entities_json(page), relations


def _fit(rows: list[Row], limit: int, build: Callable[[list[Row]], T], size: Callable[[T], int]) -> tuple[T, str | None]:
    """One page: at most ``limit`` entities, halved until ``size`` of what ``build`` makes is under
    PAGE_BYTES (never below one entity); with the next cursor when rows were left over."""
    page = rows[:limit]
    built = build(page)
    while len(page) > 1 and size(built) > PAGE_BYTES:
        page = page[:len(page) // 2]
        built = build(page)
    return built, str(page[-1][0]) if len(page) < len(rows) else None


def _dict_page(rows: list[Row], limit: int, build: Callable[[list[Row]], tuple[list[Entity], list[Relation]]]
               ) -> dict[str, Any]:
    (entities, relations), next_cursor = _fit(rows, limit, build, lambda built: len(orjson.dumps(built)))
    out: dict[str, Any] = {"entities": entities, "relations": relations}
    if next_cursor is not None:
        out["nextCursor"] = next_cursor
    return out


def _json_page(rows: list[Row], limit: int, build: Callable[[list[Row]], tuple[JSONArrays, JSONArrays]]) -> GraphJSON:
    (entities, relations), next_cursor = _fit(rows, limit, build,
                                              lambda built: len(built[0][0] or "") + len(built[1][0] or ""))
    return _graph_json(entities, relations, next_cursor)

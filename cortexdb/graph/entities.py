"""Entities (nodes), their observations and tags, namespaces, and JSON1 ``find``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from .._json import dumps
from ..errors import IntegrityError, NotFoundError, ValidationError, wrap_apsw
from . import _common as c
from . import vectors
from ._filters import where_sql
from .model import Entity

if TYPE_CHECKING:
    from ..store import Store

PATTERN_KIND = "pattern"

_UPSERT = (
    "INSERT INTO tier2.graph_entities (uuid, namespace, name, kind, properties, confidence, pinned, created_at, updated_at) "
    f"VALUES ({c.UUID7_SQL}, :namespace, :name, coalesce(:kind, (SELECT kind FROM tier2.graph_entities "
    "WHERE namespace = :namespace AND name = :name)), coalesce(:properties, '{}'), coalesce(:confidence, 1.0), coalesce(:pinned, 0), "
    ":now, :now) ON CONFLICT (namespace, name) DO UPDATE SET "
    "kind = CASE WHEN kind = 'pattern' THEN kind ELSE coalesce(:kind, kind) END, "
    "properties = coalesce(:properties, properties), confidence = coalesce(:confidence, confidence), "
    "pinned = coalesce(:pinned, pinned), updated_at = :now RETURNING id, kind"
)
_ADD_OBSERVATION = ("INSERT OR IGNORE INTO tier2.graph_observations (entity_id, content, created_at) "
                    "VALUES (?, ?, ?)")


_EXISTING = ("SELECT count(*) FROM json_each(?) j JOIN tier2.graph_entities e "
             "ON e.namespace = j.value ->> 0 AND e.name = j.value ->> 1")
_INSERT_NEW = (
    "INSERT INTO tier2.graph_entities (uuid, namespace, name, kind, properties, confidence, pinned, body, "
    f"created_at, updated_at) SELECT {c.UUID7_SQL}, j.value ->> 0, j.value ->> 1, j.value ->> 2, coalesce(j.value ->> 3, '{{}}'), "
    "coalesce(j.value ->> 4, 1.0), coalesce(j.value ->> 5, 0), j.value ->> 6, ?2, ?2 FROM json_each(?1) j ORDER BY j.key RETURNING id"
)


def _insert_new(store: Store, rows: list[dict[str, Any]], observations: dict[int, list[str]],
                now: str) -> list[int] | None:
    """Insert a batch of entities that are all new (names absent from the store and distinct,
    kinds given) in ONE statement and return their ids in input order; None (nothing written)
    for any other batch, which takes the per-row upsert.

    A statement per row would cost each full-text index (graph_search, graph_substring) a
    one-row segment, and merging thousands of those per batch made bulk ingest slow down as the
    indexes grew; one statement writes one segment. Each row starts with the ``body`` its
    observations will give it (the trigger's trim of the distinct contents joined by newlines), so
    adding them rewrites no full-text entry; a body that differed would only be corrected by it.
    """
    keys = [(row["namespace"], row["name"]) for row in rows]
    if any(row["kind"] is None for row in rows) or len(set(keys)) != len(keys):
        return None
    if store.execute(_EXISTING, (orjson.dumps(keys).decode(),))[0][0]:
        return None
    batch = orjson.dumps([(ns, name, row["kind"], row["properties"], row["confidence"], row["pinned"],
                           "\n".join(dict.fromkeys(observations.get(i, ()))).strip("\n"))
                          for i, ((ns, name), row) in enumerate(zip(keys, rows, strict=True))]).decode()
    # INTEGER PRIMARY KEY: ids grow in the order rows are inserted (json_each order)
    return sorted(r[0] for r in store.execute(_INSERT_NEW, (batch, now)))


class EntitiesMixin:
    """Entity methods of :class:`cortexdb.graph.Graph`."""

    store: Store

    # -- namespaces ----------------------------------------------------------------------------
    def add_namespace(self, name: str) -> str:
        """Create a namespace (idempotent); entity names are unique per namespace."""
        c.namespace_name(name, "name")
        with self.store.transaction():
            self.store.execute("INSERT OR IGNORE INTO tier2.graph_namespaces (name, created_at) VALUES (?, ?)",
                               (name, self.store.timestamp()))
        return name

    def namespaces(self) -> list[str]:
        """All namespace names, sorted."""
        return [r[0] for r in self.store.execute("SELECT name FROM tier2.graph_namespaces ORDER BY name")]

    # -- upsert ----------------------------------------------------------------------------------
    def upsert_entity(self, name: str, *, kind: str | None = None, properties: Mapping[str, Any] | None = None,
                      observations: Iterable[str] = (), namespace: str = "default", confidence: float | None = None,
                      pinned: bool | None = None, tags: Iterable[str] | None = None,
                      embedding: Sequence[float] | None = None) -> Entity:
        """Create the entity ``name`` in ``namespace``, or update the fields given.

        ``kind`` is required when creating. ``properties`` replaces the stored dict when given;
        ``observations`` are added (duplicates ignored); ``tags`` replaces the tag set when given.
        ``embedding`` stores the node's vector (see ``enable_vectors``); without one, a registered
        embedder embeds a new node, or one whose kind or observations this call changes.
        """
        [entity_id] = self.upsert_entities([{
            "name": name, "kind": kind, "properties": properties, "observations": observations,
            "confidence": confidence, "pinned": pinned, "tags": tags, "embedding": embedding}], namespace=namespace)
        return self._entity(entity_id)

    def upsert_entities(self, items: Iterable[Mapping[str, Any]], *, namespace: str = "default",
                        progress: Callable[[int, int], None] | None = None) -> list[int]:
        """Bulk upsert in one transaction; returns the ids in input order.

        Each item is a dict with ``name`` and the keywords of :meth:`upsert_entity` (``namespace``
        may be given per item). Everything is validated first: nothing is written if one is bad.
        """
        rows, observations, tags, spaces, given = self._prepare(items, namespace)
        if not rows:
            return []
        store = self.store
        now = store.timestamp()
        with store.transaction():
            for space in spaces:
                c.require_namespace(store, space)
            try:
                ids = _insert_new(store, rows, dict(observations), now)
            except IntegrityError as error:
                raise _explain(error) from error
            if ids is None:
                for row in rows:
                    row["now"] = now
                try:
                    with wrap_apsw():
                        returned = list(store.conn.executemany(_UPSERT, rows))
                except IntegrityError as error:
                    raise _explain(error) from error
                for row, (_, kind) in zip(rows, returned, strict=False):
                    if row["kind"] is not None and kind != row["kind"]:
                        raise ValidationError("kind", f"{row['name']!r} is a pattern; update it with add_pattern()")
                ids = [r[0] for r in returned]
            if progress:
                progress(len(ids) // 2, len(ids))
            c.add_observations(store, [(ids[i], o) for i, items_ in observations for o in items_], now)
            for i, tag_list in tags:
                store.execute("DELETE FROM tier2.graph_tags WHERE entity_id = ?", (ids[i],))
                store.conn.executemany("INSERT OR IGNORE INTO tier2.graph_tags (entity_id, tag) VALUES (?, ?)",
                                       [(ids[i], t) for t in tag_list])
            if given or store.embedder is not None:
                embed = self._to_embed(ids, rows, observations) if store.embedder is not None else ()
                vectors.write(store, ids, given, embed_missing=embed)
            if progress:
                progress(len(ids), len(ids))
        return ids

    def _to_embed(self, ids: list[int], rows: list[dict[str, Any]], observations: list[tuple[int, list[str]]]) -> list[int]:
        """Positions whose node has no vector yet, or whose kind or observations changed now."""
        have = {r[0] for r in self.store.execute("SELECT entity_id FROM tier2.graph_embeddings WHERE entity_id IN "
                                                 "(SELECT value FROM json_each(?))", (c.int_list(ids),))}
        changed = {i for i, _ in observations} | {i for i, row in enumerate(rows) if row["kind"] is not None}
        return [i for i, node in enumerate(ids) if node not in have or i in changed]

    def _prepare(self, items: Iterable[Mapping[str, Any]], namespace: str
                 ) -> tuple[list[dict[str, Any]], list[tuple[int, list[str]]], list[tuple[int, list[str]]], set[str],
                            dict[int, bytes]]:
        if isinstance(items, (str, Mapping)) or not isinstance(items, Iterable):
            raise ValidationError("items", "must be a list of dicts, each with at least 'name'")
        rows: list[dict[str, Any]] = []
        observations: list[tuple[int, list[str]]] = []
        tags: list[tuple[int, list[str]]] = []
        spaces = set()
        allowed = {"name", "kind", "properties", "observations", "confidence", "pinned", "tags", "namespace", "embedding"}
        embeddings: dict[int, Any] = {}
        for index, item in enumerate(items):
            c.bulk_item(index, item, allowed, "at least 'name'")
            space = item.get("namespace") or namespace
            c.namespace_name(space)
            spaces.add(space)
            kind = item.get("kind")
            if kind is not None:
                c.text("kind", kind, max_len=100)
                if kind == PATTERN_KIND:
                    raise ValidationError("kind", "'pattern' is reserved: create patterns with add_pattern()")
            props = item.get("properties")
            pinned = item.get("pinned")
            if pinned is not None and not isinstance(pinned, bool):
                raise ValidationError("pinned", f"must be True or False, got {pinned!r}")
            confidence = item.get("confidence")
            rows.append({
                "namespace": space, "name": c.text("name", item.get("name")), "kind": kind,
                "properties": None if props is None else c.properties_json(dict(props) if isinstance(props, Mapping) else props),
                "confidence": None if confidence is None else c.unit("confidence", confidence),
                "pinned": None if pinned is None else int(pinned)})
            obs = item.get("observations") or ()
            obs_list = c.str_list("observations", obs, max_len=100_000)
            if obs_list:
                observations.append((index, obs_list))
            if item.get("tags") is not None:
                tags.append((index, c.str_list("tags", item["tags"])))
            if item.get("embedding") is not None:
                embeddings[index] = item["embedding"]
        field = "embedding" if len(rows) == 1 else "items[{i}].embedding"
        return rows, observations, tags, spaces, vectors.prepare(self.store, embeddings, field)

    # -- read ------------------------------------------------------------------------------------
    def _entity(self, entity_id: int) -> Entity:
        found = c.load_entities(self.store, [entity_id])
        if entity_id not in found:
            raise NotFoundError(f"entity: no entity with id {entity_id}")
        return found[entity_id]

    def get_entity(self, entity: Entity | int | str, *, namespace: str = "default", touch: bool = True,
                   include_archived: bool = False) -> Entity:
        """One entity by Entity, id or name; counts the access (``touch=False`` to only look).

        With ``include_archived``, a node the lifecycle moved to tier 3 is returned from there
        (``archived_at`` set; an id means the id it had when archived); reading it does not
        count as an access. ``db.archive.restore("graph_nodes", [e.uuid])`` brings it back.
        """
        try:
            entity_id = c.resolve(self.store, entity, namespace=namespace)
        except NotFoundError:
            if not include_archived:
                raise
            from . import archived

            uuid = archived.find_uuid(self.store, entity, namespace)
            if uuid is None:
                raise
            return archived.entity(self.store, uuid)
        if touch and not self.store.readonly:
            with self.store.transaction():
                self.store.execute("UPDATE tier2.graph_entities SET access_count = access_count + 1, "
                                   "last_accessed = ? WHERE id = ?", (self.store.timestamp(), entity_id))
        return self._entity(entity_id)

    def get_entities(self, names: Iterable[str | int], *, namespace: str = "default") -> list[Entity]:
        """Several entities by name or id, in input order; names not found are skipped (open-by-names)."""
        if isinstance(names, (str, bytes)) or not isinstance(names, Iterable):
            raise ValidationError("names", f"must be a list of entity names or ids, got {type(names).__name__}")
        wanted = list(names)
        by_name = [n for n in wanted if isinstance(n, str)]
        by_id = [n for n in wanted if isinstance(n, int) and not isinstance(n, bool)]
        c.namespace_name(namespace)
        rows = self.store.execute(
            f"SELECT {c.ENTITY_COLUMNS} FROM tier2.graph_entities e WHERE (e.namespace = ? AND e.name IN "
            "(SELECT value FROM json_each(?))) OR e.id IN (SELECT value FROM json_each(?))",
            (namespace, dumps(by_name), dumps(by_id)))
        found = c.entities_from_rows(self.store, rows)
        index = {e.name: e for e in found} | {e.id: e for e in found}
        return [index[n] for n in dict.fromkeys(wanted) if n in index]

    def find(self, *, kind: str | None = None, where: Mapping[str, Any] | None = None, namespace: str | None = None,
             include_archived: bool = False, limit: int = 50) -> list[Entity]:
        """Entities filtered by kind and JSON properties, ordered by id, at most ``limit``.

        ``where`` maps JSON paths (``$.engine``) to a value (equality), a list (``in``) or a dict
        of operators ``$eq $ne $gt $gte $lt $lte $in``. Paths are validated; the SQL uses
        ``json_extract(properties, '<path>')`` exactly, so expression indexes apply.
        """
        c.positive("limit", limit)
        clauses, params = [], []
        if kind is not None:
            clauses.append("e.kind = ?")
            params.append(c.text("kind", kind, max_len=100))
        if namespace is not None:
            clauses.append("e.namespace = ?")
            params.append(c.namespace_name(namespace))
        if not include_archived:
            clauses.append("e.archived_at IS NULL")
        if where:
            sql, values = where_sql("e.properties", where)
            clauses.append(sql)
            params.extend(values)
        sql = f"SELECT {c.ENTITY_COLUMNS} FROM tier2.graph_entities e"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        rows = self.store.execute(sql + " ORDER BY e.id LIMIT ?", (*params, limit))
        return c.entities_from_rows(self.store, rows)

    # -- delete ------------------------------------------------------------------------------------
    def delete_entity(self, entity: Entity | int | str, *, namespace: str = "default") -> None:
        """Delete an entity with its observations, tags and every relation touching it."""
        self.delete_entities([entity], namespace=namespace)

    def delete_entities(self, entities: Iterable[Entity | int | str], *, namespace: str = "default",
                        missing_ok: bool = False) -> int:
        """Delete several entities in one transaction; returns how many were deleted."""
        with self.store.transaction():
            ids = []
            for ref in entities:
                try:
                    ids.append(c.resolve(self.store, ref, namespace=namespace))
                except NotFoundError:
                    if not missing_ok:
                        raise
            for entity_id in dict.fromkeys(ids):
                self.store.execute("DELETE FROM tier2.graph_entities WHERE id = ?", (entity_id,))
        return len(set(ids))

    # -- observations and tags ------------------------------------------------------------------
    def add_observations(self, entity: Entity | int | str, observations: Iterable[str], *,
                         namespace: str = "default") -> list[str]:
        """Add observations (text facts) to an entity; returns those that were new."""
        contents = c.str_list("observations", observations, max_len=100_000)
        with self.store.transaction():
            entity_id = c.resolve(self.store, entity, namespace=namespace)
            now = self.store.timestamp()
            added = []
            for content in dict.fromkeys(contents):
                self.store.execute(_ADD_OBSERVATION, (entity_id, content, now))
                if self.store.conn.changes():
                    added.append(content)
            if added:
                self.store.execute("UPDATE tier2.graph_entities SET updated_at = ? WHERE id = ?", (now, entity_id))
                vectors.write(self.store, [entity_id], {}, embed_missing=[0])
        return added

    def remove_observations(self, entity: Entity | int | str, observations: Iterable[str], *,
                            namespace: str = "default") -> int:
        """Remove observations by their exact text; returns how many were removed."""
        contents = c.str_list("observations", observations, max_len=100_000)
        with self.store.transaction():
            entity_id = c.resolve(self.store, entity, namespace=namespace)
            removed = 0
            for content in dict.fromkeys(contents):
                self.store.execute("DELETE FROM tier2.graph_observations WHERE entity_id = ? AND content = ?",
                                   (entity_id, content))
                removed += self.store.conn.changes()
            if removed:
                self.store.execute("UPDATE tier2.graph_entities SET updated_at = ? WHERE id = ?",
                                   (self.store.timestamp(), entity_id))
                vectors.write(self.store, [entity_id], {}, embed_missing=[0])
        return removed

    def tag(self, entity: Entity | int | str, tags: Iterable[str], *, namespace: str = "default") -> None:
        """Add tags to an entity (search can filter on them)."""
        values = c.str_list("tags", tags)
        with self.store.transaction():
            entity_id = c.resolve(self.store, entity, namespace=namespace)
            self.store.conn.executemany("INSERT OR IGNORE INTO tier2.graph_tags (entity_id, tag) VALUES (?, ?)",
                                        [(entity_id, t) for t in values])

    def untag(self, entity: Entity | int | str, tags: Iterable[str], *, namespace: str = "default") -> None:
        """Remove tags from an entity."""
        values = c.str_list("tags", tags)
        with self.store.transaction():
            entity_id = c.resolve(self.store, entity, namespace=namespace)
            self.store.conn.executemany("DELETE FROM tier2.graph_tags WHERE entity_id = ? AND tag = ?",
                                        [(entity_id, t) for t in values])


def _explain(error: IntegrityError) -> Exception:
    text = str(error)
    if "graph_entities.kind" in text and "NOT NULL" in text:
        return ValidationError("kind", "is required when creating an entity")
    return error

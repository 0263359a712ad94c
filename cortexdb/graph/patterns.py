"""CORTEX patterns (first-class graph nodes) and confidence decay driven by the store clock."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..clock import from_timestamp, to_timestamp
from ..errors import NotFoundError, ValidationError
from . import _common as c
from . import vectors
from .model import DecayChange, DecayReport, Entity, Pattern

if TYPE_CHECKING:
    from ..store import Store

PATTERN_TYPES = ("workflow", "principle", "anti_pattern", "solution", "context")
DAY = 86_400.0


class PatternsMixin:
    """Pattern and decay methods of :class:`cortexdb.graph.Graph`."""

    store: Store

    def add_pattern(self, name: str, title: str, content: str, pattern_type: str, *, confidence: float = 1.0,
                    scope: str = "global", namespace: str = "default", pinned: bool = False,
                    tags: Iterable[str] | None = None, embedding: Sequence[float] | None = None) -> Pattern:
        """Create or update the pattern ``name``: a graph node (kind ``pattern``) that relations,
        search and traversal treat like any entity. ``pattern.id`` is its node id (an int).
        ``embedding`` stores its vector; else a registered embedder embeds its text."""
        c.text("name", name)
        c.text("title", title, max_len=1000)
        if not isinstance(content, str):
            raise ValidationError("content", "must be a string")
        if pattern_type not in PATTERN_TYPES:
            raise ValidationError("pattern_type", f"must be one of {', '.join(PATTERN_TYPES)}, got {pattern_type!r}")
        c.unit("confidence", confidence)
        c.text("scope", scope, max_len=200)
        if not isinstance(pinned, bool):
            raise ValidationError("pinned", "must be True or False")
        tag_list = None if tags is None else c.str_list("tags", tags)
        store = self.store
        given = vectors.prepare(store, {} if embedding is None else {0: embedding}, "embedding")
        with store.transaction():
            c.require_namespace(store, namespace)
            now = store.timestamp()
            existing = store.execute("SELECT id, kind FROM tier2.graph_entities WHERE namespace = ? AND name = ?",
                                     (namespace, name))
            if existing and existing[0][1] != "pattern":
                raise ValidationError("name", f"{name!r} is already an entity of kind {existing[0][1]!r}, not a pattern")
            if existing:
                node_id = existing[0][0]
                store.execute("UPDATE tier2.graph_entities SET confidence = ?, pinned = ?, updated_at = ?, "
                              "archived_at = NULL, decayed_through = NULL WHERE id = ?",
                              (confidence, int(pinned), now, node_id))
                store.execute("UPDATE tier2.graph_patterns SET title = ?, content = ?, pattern_type = ?, scope = ? "
                              "WHERE id = ?", (title, content, pattern_type, scope, node_id))
            else:
                node_id = store.execute(
                    "INSERT INTO tier2.graph_entities (uuid, namespace, name, kind, confidence, pinned, created_at, updated_at) "
                    f"VALUES ({c.UUID7_SQL}, ?, ?, 'pattern', ?, ?, ?, ?) RETURNING id",
                    (namespace, name, confidence, int(pinned), now, now))[0][0]
                store.execute("INSERT INTO tier2.graph_patterns (id, title, content, pattern_type, scope) "
                              "VALUES (?, ?, ?, ?, ?)", (node_id, title, content, pattern_type, scope))
            if tag_list is not None:
                store.execute("DELETE FROM tier2.graph_tags WHERE entity_id = ?", (node_id,))
                store.conn.executemany("INSERT OR IGNORE INTO tier2.graph_tags (entity_id, tag) VALUES (?, ?)",
                                       [(node_id, t) for t in tag_list])
            vectors.write(store, [node_id], given, embed_missing=[0])
        return self.get_pattern(node_id, touch=False)

    def get_pattern(self, pattern: Pattern | Entity | int | str, *, namespace: str = "default",
                    touch: bool = True, include_archived: bool = False) -> Pattern:
        """A pattern by Pattern, node id or name; counts the access unless ``touch=False``.
        ``include_archived`` also looks in the tier-3 archive (see ``get_entity``)."""
        try:
            node_id = c.resolve(self.store, pattern, field="pattern", namespace=namespace)
        except NotFoundError:
            from . import archived

            uuid = archived.find_uuid(self.store, pattern, namespace) if include_archived else None
            found = archived.pattern(self.store, uuid) if uuid else None
            if found is None:
                raise
            return found
        if touch and not self.store.readonly:
            with self.store.transaction():
                self.store.execute("UPDATE tier2.graph_entities SET access_count = access_count + 1, "
                                   "last_accessed = ? WHERE id = ?", (self.store.timestamp(), node_id))
        rows = self.store.execute(c.PATTERN_SELECT + " WHERE p.id = ?", (node_id,))
        if not rows:
            raise NotFoundError(f"pattern: node {node_id} is an entity, not a pattern")
        return c.pattern_from_row(rows[0])

    def patterns(self, *, pattern_type: str | None = None, namespace: str | None = None,
                 include_archived: bool = False, limit: int = 100) -> list[Pattern]:
        """Patterns, most confident first."""
        c.positive("limit", limit)
        clauses, params = [], []
        if pattern_type is not None:
            if pattern_type not in PATTERN_TYPES:
                raise ValidationError("pattern_type", f"must be one of {', '.join(PATTERN_TYPES)}")
            clauses.append("p.pattern_type = ?")
            params.append(pattern_type)
        if namespace is not None:
            clauses.append("e.namespace = ?")
            params.append(c.namespace_name(namespace))
        if not include_archived:
            clauses.append("e.archived_at IS NULL")
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self.store.execute(c.PATTERN_SELECT + where + " ORDER BY e.confidence DESC, e.id LIMIT ?",
                                  (*params, limit))
        return [c.pattern_from_row(r) for r in rows]

    def pin(self, node: Pattern | Entity | int | str, pinned: bool = True, *, namespace: str = "default") -> None:
        """Pin (exempt from decay) or unpin a pattern or entity."""
        if not isinstance(pinned, bool):
            raise ValidationError("pinned", "must be True or False")
        with self.store.transaction():
            node_id = c.resolve(self.store, node, namespace=namespace)
            self.store.execute("UPDATE tier2.graph_entities SET pinned = ?, updated_at = ? WHERE id = ?",
                               (int(pinned), self.store.timestamp(), node_id))

    def apply_decay(self, *, idle_days: float = 60.0, rate_per_day: float = 0.01, archive_below: float = 0.3,
                    kinds: Iterable[str] | None = ("pattern",), move: bool = True) -> DecayReport:
        """The CORTEX decay rule, on the store clock.

        A node not accessed for more than ``idle_days`` loses ``rate_per_day`` confidence per
        whole idle day past that (each day counted once across runs); below ``archive_below`` it
        is marked archived (``archived_at``, logged) and then, with ``move`` (the default), moved
        to the tier-3 archive with its observations, tags, pattern row and relations through the
        crash-safe archival protocol (group ``graph_nodes``): not destroyed, still readable with
        ``include_archived=True``, restorable. Nodes marked earlier but still live (a crash
        between the two steps, or ``move=False``) are moved too. Pinned nodes are exempt. Every
        change is logged in ``graph_decay_log``. ``kinds=None`` decays every kind; the default
        decays patterns only.
        """
        for name, value in (("idle_days", idle_days), ("rate_per_day", rate_per_day)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise ValidationError(name, f"must be a number >= 0, got {value!r}")
        c.unit("archive_below", archive_below)
        kind_list = None if kinds is None else c.str_list("kinds", kinds)
        store = self.store
        changes: list[DecayChange] = []
        with store.transaction():
            now = store.now()
            stamp = to_timestamp(now)
            sql = ("SELECT id, uuid, name, confidence, coalesce(last_accessed, created_at), decayed_through "
                   "FROM tier2.graph_entities WHERE pinned = 0 AND archived_at IS NULL")
            params: list[object] = []
            if kind_list is not None:
                sql += f" AND kind IN ({', '.join('?' * len(kind_list))})" if kind_list else " AND 0"
                params += kind_list
            rows = store.execute(sql, params)
            for node_id, uuid, name, confidence, touched, through in rows:
                grace_end = from_timestamp(touched) + idle_days * DAY
                begin = max(grace_end, from_timestamp(through)) if through else grace_end
                days = math.floor((now - begin) / DAY) if now > begin else 0
                if days < 1:
                    continue
                new = max(0.0, round(confidence - rate_per_day * days, 9))
                archived = new < archive_below
                idle = (now - from_timestamp(touched)) / DAY
                store.execute("UPDATE tier2.graph_entities SET confidence = ?, decayed_through = ?, archived_at = ? "
                              "WHERE id = ?", (new, to_timestamp(begin + days * DAY), stamp if archived else None, node_id))
                store.execute("INSERT INTO tier2.graph_decay_log (entity_uuid, entity_id, action, old_confidence, "
                              "new_confidence, idle_days, logged_at) VALUES (?, ?, 'decayed', ?, ?, ?, ?)",
                              (uuid, node_id, confidence, new, idle, stamp))
                if archived:
                    store.execute("INSERT INTO tier2.graph_decay_log (entity_uuid, entity_id, action, old_confidence, "
                                  "new_confidence, idle_days, logged_at) VALUES (?, ?, 'archived', ?, ?, ?, ?)",
                                  (uuid, node_id, new, new, idle, stamp))
                changes.append(DecayChange(node_id, name, confidence, new, idle, archived))
        moved = self.archive_decayed() if move else 0
        return DecayReport(examined=len(rows), decayed=len(changes), archived=sum(ch.archived for ch in changes),
                           changes=tuple(changes), moved=moved)

    def archive_decayed(self) -> int:
        """Move every unpinned live node that decay marked archived to the tier-3 archive
        (``db.archive.move("graph_nodes", ...)``); returns how many nodes moved."""
        uuids = [r[0] for r in self.store.execute(
            "SELECT uuid FROM tier2.graph_entities WHERE archived_at IS NOT NULL AND pinned = 0 ORDER BY id")]
        if not uuids:
            return 0
        return self.store.archive.move("graph_nodes", uuids).keys

    def decay_log(self, node: Pattern | Entity | int | str | None = None, *, limit: int = 100,
                  namespace: str = "default") -> list[dict[str, object]]:
        """Decay log rows (newest first), for one node or all."""
        c.positive("limit", limit)
        cols = "id, entity_uuid, entity_id, action, old_confidence, new_confidence, idle_days, logged_at"
        if node is None:
            rows = self.store.execute(f"SELECT {cols} FROM tier2.graph_decay_log ORDER BY id DESC LIMIT ?", (limit,))
        else:  # by uuid: ids are reused, and the node may have moved to the archive
            if isinstance(node, (Entity, Pattern)):
                uuid = node.uuid
            else:
                try:
                    node_id = c.resolve(self.store, node, namespace=namespace)
                    uuid = self.store.execute("SELECT uuid FROM tier2.graph_entities WHERE id = ?", (node_id,))[0][0]
                except NotFoundError:
                    from . import archived

                    found = archived.find_uuid(self.store, node, namespace)
                    if found is None:
                        raise
                    uuid = found
            rows = self.store.execute(f"SELECT {cols} FROM tier2.graph_decay_log WHERE entity_uuid = ? "
                                      "ORDER BY id DESC LIMIT ?", (uuid, limit))
        names = [n.strip() for n in cols.split(",")]
        return [dict(zip(names, r, strict=False)) for r in rows]

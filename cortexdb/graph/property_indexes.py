"""Expression indexes on entity properties that users declare: ``db.graph.index_property("$.team")``.

``find(where={"$.team": ...})`` filters on ``json_extract(properties, '$.team')``; SQLite uses an
index on a JSON path only for that exact expression, so the index is created on it, its path is
validated by the strict grammar of :func:`cortexdb._json.validate_path` before it reaches SQL,
and it is recorded in ``tier2.graph_property_indexes`` (listed by ``status``, expected by
``cortexdb doctor``, dropped by path).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._json import validate_path
from ..errors import NotFoundError, ValidationError

if TYPE_CHECKING:
    from ..store import Store

SCHEMA_INDEXES = {"$.engine": "graph_entities_prop_engine", "$.lang": "graph_entities_prop_lang"}
"""Property indexes the schema ships (tier2 0002), listed beside the declared ones, never dropped."""


@dataclass(frozen=True)
class PropertyIndex:
    """One property index; ``declared_by`` is ``user``, or ``schema`` for those shipped
    (which have no ``created_at``)."""

    path: str
    index_name: str
    declared_by: str
    created_at: str | None


def index_name(path: str) -> str:
    """A readable, collision-free index name for ``path`` (``$.a_b`` and ``$.a.b`` differ by hash)."""
    readable = re.sub(r"[^A-Za-z0-9]+", "_", path[1:]).strip("_")[:40]
    return f"graph_entities_property_{readable}_{hashlib.sha256(path.encode()).hexdigest()[:8]}"


def user_index_names(store: Store) -> set[str]:
    """Index names users declared (empty before the table exists)."""
    if not store.execute("SELECT 1 FROM tier2.sqlite_master WHERE name = 'graph_property_indexes'"):
        return set()
    return {r[0] for r in store.execute("SELECT index_name FROM tier2.graph_property_indexes")}


class PropertyIndexesMixin:
    store: Store

    def index_property(self, path: str) -> PropertyIndex:
        """Index entity property ``path`` (``$.team``, ``$.owner.name``, ``$.tags[0]``) for
        ``find(where=...)``; declaring a path already indexed returns its record."""
        validate_path(path, field="path")
        self.store.require_writable()
        with self.store.transaction():
            found = self._property_index(path)
            if found is not None:
                return found
            created = PropertyIndex(path, index_name(path), "user", self.store.timestamp())
            self.store.execute(f"CREATE INDEX tier2.{created.index_name} "
                               f"ON graph_entities(json_extract(properties, '{path}'))")
            self.store.execute("INSERT INTO tier2.graph_property_indexes (path, index_name, created_at) VALUES (?, ?, ?)",
                               (created.path, created.index_name, created.created_at))
        return created

    def property_indexes(self) -> list[PropertyIndex]:
        """Every property index (the schema's and the declared ones), by path."""
        found = [PropertyIndex(path, name, "schema", None) for path, name in SCHEMA_INDEXES.items()]
        found += [PropertyIndex(path, name, "user", at) for path, name, at in self.store.execute(
            "SELECT path, index_name, created_at FROM tier2.graph_property_indexes")]
        return sorted(found, key=lambda index: index.path)

    def drop_property_index(self, path: str) -> None:
        """Drop the index a user declared on ``path``; the schema's own indexes stay."""
        validate_path(path, field="path")
        self.store.require_writable()
        with self.store.transaction():
            found = self._property_index(path)
            if found is None:
                raise NotFoundError(f"path: no property index on {path}; see db.graph.property_indexes()")
            if found.declared_by != "user":
                raise ValidationError("path", f"the index on {path} is part of the schema and cannot be dropped")
            self.store.execute(f"DROP INDEX tier2.{found.index_name}")
            self.store.execute("DELETE FROM tier2.graph_property_indexes WHERE path = ?", (path,))

    def _property_index(self, path: str) -> PropertyIndex | None:
        if path in SCHEMA_INDEXES:
            return PropertyIndex(path, SCHEMA_INDEXES[path], "schema", None)
        rows = self.store.execute(
            "SELECT path, index_name, created_at FROM tier2.graph_property_indexes WHERE path = ?", (path,))
        return PropertyIndex(rows[0][0], rows[0][1], "user", rows[0][2]) if rows else None

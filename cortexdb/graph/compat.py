"""Seed 001's ``KnowledgeGraph`` class, so its "Crawler Integration Examples" run as written.

``KnowledgeGraph()`` opens the default store (``CORTEXDB_HOME``, else the platform data dir);
``KnowledgeGraph(path)`` or ``KnowledgeGraph(store)`` use another. Results are dicts keyed by
column. Every other graph method (``search``, ``relate``, ...) is reachable on it too.
"""

from __future__ import annotations

import os
import re
from typing import Any

from .._boundary import public_api
from ..errors import NotFoundError, ValidationError
from ..store import Store
from ..store import open as open_store
from . import Graph
from . import _common as c
from .workspace import Row, _table

_REL = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]{0,99}$")


@public_api
class KnowledgeGraph:
    """The seed's knowledge-graph facade over a cortexdb store."""

    def __init__(self, store: Store | str | os.PathLike[str] | None = None, **open_options: Any) -> None:
        if isinstance(store, Store):
            self.store, self._owned = store, False
        else:
            self.store, self._owned = open_store(store, **open_options), True

    @property
    def graph(self) -> Graph:
        return self.store.graph

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name == "store":
            raise AttributeError(name)
        for api in (self.store.graph, self.store.workspace):
            if hasattr(api, name):
                return getattr(api, name)
        raise AttributeError(f"KnowledgeGraph has no attribute {name!r}")

    def query_discovered_databases(self, database_type: str | None = None) -> list[Row]:
        """Discovered workspace databases, most recently verified first."""
        return self.store.workspace.query_discovered_databases(database_type)

    def query_discovered_apis(self, api_type: str | None = None) -> list[Row]:
        """Discovered workspace APIs, most recently verified first."""
        return self.store.workspace.query_discovered_apis(api_type)

    def query_discovered_frameworks(self, framework_type: str | None = None) -> list[Row]:
        """Discovered workspace frameworks, most recently verified first."""
        return self.store.workspace.query_discovered_frameworks(framework_type)

    def add_relationship(self, subject_pattern_id: int, relationship_type: str, object_entity_id: int,
                         object_entity_type: str) -> Row:
        """Link a pattern to a discovered workspace row (idempotent); returns the link row."""
        if isinstance(subject_pattern_id, bool) or not isinstance(subject_pattern_id, int):
            raise ValidationError("subject_pattern_id", f"must be a pattern id (int), got {subject_pattern_id!r}")
        if not isinstance(relationship_type, str) or not _REL.match(relationship_type):
            raise ValidationError("relationship_type", f"{relationship_type!r} is not a relation name like uses_database")
        table = _table(object_entity_type)
        store = self.store
        with store.transaction():
            if not store.execute("SELECT 1 FROM tier2.graph_patterns WHERE id = ?", (subject_pattern_id,)):
                raise NotFoundError(f"subject_pattern_id: no pattern with id {subject_pattern_id}")
            store.workspace.get(table.kind, object_entity_id)
            store.execute(
                "INSERT INTO tier2.graph_workspace_links (subject_pattern_id, relationship_type, object_entity_type, "
                "object_entity_id, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (subject_pattern_id, relationship_type, table.kind, object_entity_id, store.timestamp()))
        return self.relationships(subject_pattern_id, relationship_type=relationship_type,
                                  object_entity_type=table.kind, object_entity_id=object_entity_id)[0]

    def relationships(self, subject_pattern_id: int | None = None, *, relationship_type: str | None = None,
                      object_entity_type: str | None = None, object_entity_id: int | None = None) -> list[Row]:
        """Pattern -> workspace links matching the filters given."""
        clauses, params = [], []
        for col, value in (("subject_pattern_id", subject_pattern_id), ("relationship_type", relationship_type),
                           ("object_entity_type", object_entity_type), ("object_entity_id", object_entity_id)):
            if value is not None:
                clauses.append(f"{col} = ?")
                params.append(value)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        cols = ["id", "subject_pattern_id", "relationship_type", "object_entity_type", "object_entity_id", "created_at"]
        rows = self.store.execute(
            f"SELECT {', '.join(cols)} FROM tier2.graph_workspace_links{where} ORDER BY id LIMIT ?",
            (*params, c.MAX_LIMIT))
        return [dict(zip(cols, r, strict=False)) for r in rows]

    def close(self) -> None:
        """Close the store if this object opened it."""
        if self._owned:
            self.store.close()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

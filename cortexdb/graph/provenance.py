"""Provenance links (seed 001 ``provenance_links``): where things came from, recursively.

A link reads "source <relation> target": ``link("file", "web/login.ts", "conversation", "c-12",
"generated")`` says the file was generated from conversation c-12. So the target is upstream of
the source: :meth:`Provenance.lineage` walks source -> target, :meth:`Provenance.descendants`
walks target -> source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._boundary import public_api
from ..errors import ValidationError
from . import _common as c

if TYPE_CHECKING:
    from ..store import Store

RELATIONS = ("generated", "updated", "referenced", "archived_from")
_TYPE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
_COLUMNS = "id, source_type, source_ref, target_type, target_ref, relation, confidence, created_at"


@dataclass(frozen=True)
class ProvenanceLink:
    """One row of ``provenance_links``."""

    id: int
    source_type: str
    source_ref: str
    target_type: str
    target_ref: str
    relation: str
    confidence: float | None
    created_at: str


@dataclass(frozen=True)
class LineageStep:
    """A node reached by a lineage walk, ``depth`` links away, through ``link``."""

    type: str
    ref: str
    depth: int
    link: ProvenanceLink


def _kind(field: str, value: Any) -> str:
    if not isinstance(value, str) or not _TYPE.match(value):
        raise ValidationError(field, f"{value!r} is not a type name like file, conversation, pattern, plugin "
                                     "(lowercase letters, digits, _)")
    return value


@public_api
class Provenance:
    """``db.provenance``: record and walk provenance links."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def link(self, source_type: str, source_ref: str, target_type: str, target_ref: str, relation: str, *,
             confidence: float | None = None) -> ProvenanceLink:
        """Record that ``source`` was ``relation`` (generated|updated|referenced|archived_from) from ``target``."""
        _kind("source_type", source_type)
        _kind("target_type", target_type)
        c.text("source_ref", source_ref, max_len=4000)
        c.text("target_ref", target_ref, max_len=4000)
        if relation not in RELATIONS:
            raise ValidationError("relation", f"must be one of {', '.join(RELATIONS)}, got {relation!r}")
        if confidence is not None:
            c.unit("confidence", confidence)
        if (source_type, source_ref) == (target_type, target_ref):
            raise ValidationError("target_ref", "a provenance link cannot point at its own source")
        with self.store.transaction():
            row = self.store.execute(
                "INSERT INTO tier2.provenance_links (source_type, source_ref, target_type, target_ref, relation, "
                f"confidence, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {_COLUMNS}",
                (source_type, source_ref, target_type, target_ref, relation, confidence, self.store.timestamp()))[0]
        return ProvenanceLink(*row)

    def links(self, type_: str, ref: str) -> list[ProvenanceLink]:
        """Every link whose source or target is (type_, ref), oldest first."""
        _kind("type", type_)
        rows = self.store.execute(
            f"SELECT {_COLUMNS} FROM tier2.provenance_links WHERE (source_type = ?1 AND source_ref = ?2) "
            "OR (target_type = ?1 AND target_ref = ?2) ORDER BY id", (type_, ref))
        return [ProvenanceLink(*r) for r in rows]

    def lineage(self, type_: str, ref: str, *, max_depth: int = 20, limit: int = 1000) -> list[LineageStep]:
        """Everything (type_, ref) came from, recursively upstream, nearest first."""
        return self._walk(type_, ref, upstream=True, max_depth=max_depth, limit=limit)

    def descendants(self, type_: str, ref: str, *, max_depth: int = 20, limit: int = 1000) -> list[LineageStep]:
        """Everything derived from (type_, ref), recursively downstream, nearest first."""
        return self._walk(type_, ref, upstream=False, max_depth=max_depth, limit=limit)

    def _walk(self, type_: str, ref: str, *, upstream: bool, max_depth: int, limit: int) -> list[LineageStep]:
        _kind("type", type_)
        c.text("ref", ref, max_len=4000)
        c.positive("max_depth", max_depth, maximum=1000)
        c.positive("limit", limit)
        near, far = ("source", "target") if upstream else ("target", "source")
        sql = (
            "WITH RECURSIVE walk(t, r, depth, link) AS (SELECT ?1, ?2, 0, NULL UNION "
            f"SELECT l.{far}_type, l.{far}_ref, w.depth + 1, l.id FROM walk w JOIN tier2.provenance_links l "
            f"ON l.{near}_type = w.t AND l.{near}_ref = w.r WHERE w.depth < ?3), "
            "best AS (SELECT t, r, min(depth) AS depth, min(link) AS link FROM walk "
            "WHERE depth > 0 AND NOT (t = ?1 AND r = ?2) GROUP BY t, r ORDER BY depth, link LIMIT ?4) "
            f"SELECT best.t, best.r, best.depth, {', '.join('l.' + col.strip() for col in _COLUMNS.split(','))} "
            "FROM best JOIN tier2.provenance_links l ON l.id = best.link ORDER BY best.depth, best.link")
        rows = self.store.execute(sql, (type_, ref, max_depth, limit))
        return [LineageStep(type=r[0], ref=r[1], depth=r[2], link=ProvenanceLink(*r[3:])) for r in rows]

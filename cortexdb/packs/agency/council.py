"""Tasks (seed 002's DatabaseClient names over ``db.tasks``), council verdicts with their
consensus, and CAWS violations; all in tier 1 beside the tasks they reference."""

from __future__ import annotations

import builtins
import uuid
from typing import TYPE_CHECKING, Any

from ..._json import dumps, loads
from ...errors import NotFoundError, ValidationError
from ...memory import _common as c
from ...memory.tasks import Task
from . import _common as a
from .models import CawsViolation, Consensus, CouncilVerdict, field_names, from_row

if TYPE_CHECKING:
    from ...store import Store

_VERDICT = "id, task_id, judge_type, verdict, confidence_score, reasoning, evidence, created_at"
_VIOLATION = "id, task_id, rule, severity, description, violation_data, resolved, created_at, resolved_at, resolved_by"

_VERDICT_FIELDS = field_names(CouncilVerdict)
_VIOLATION_FIELDS = field_names(CawsViolation)

def _verdict(row: tuple[Any, ...]) -> CouncilVerdict:
    return from_row(CouncilVerdict, _VERDICT_FIELDS, row, evidence=loads(row[6]))


def _violation(row: tuple[Any, ...]) -> CawsViolation:
    return from_row(CawsViolation, _VIOLATION_FIELDS, row, violation_data=loads(row[5]), resolved=bool(row[6]))


class CouncilMethods:
    _store: Store

    # -- tasks (DatabaseClient names) ------------------------------------------------------------
    def create_task(self, description: str, *, task_id: str | None = None, risk_tier: int = 2,
                    execution_mode: str = "auto", metadata: Any = None) -> Task:
        """A new pending task (``db.tasks.create``)."""
        return self._store.tasks.create(description, task_id=task_id, risk_tier=risk_tier,
                                        execution_mode=execution_mode, metadata=metadata)

    def get_task(self, task: str) -> Task:
        """The task named by its ``task_id`` key or its uuid ``id``."""
        return self._store.tasks.get(a.task_key(self._store, task))

    def update_task_status(self, task: str, status: str, *, error: str | None = None) -> Task:
        """Move a task along its status graph (see :mod:`cortexdb.memory.tasks`)."""
        return self._store.tasks.update_status(a.task_key(self._store, task), status, error=error)

    def tasks(self, *, status: str | None = None, limit: int = 50) -> builtins.list[Task]:
        """Tasks, newest first (seed 002's "efficient task status" query)."""
        return self._store.tasks.list(status=status, limit=limit)

    # -- council verdicts ----------------------------------------------------------------------------
    def record_verdict(self, task: str, judge_type: str, verdict: str, *, confidence_score: float | None = None,
                       reasoning: str | None = None, evidence: Any = None) -> CouncilVerdict:
        """Record one judge's verdict (``confidence_score`` 0–1) on a task."""
        store = self._store
        a.require_pack(store)
        store.require_writable()
        c.text("judge_type", judge_type, max_len=50)
        c.text("verdict", verdict, max_len=20)
        score = a.fraction("confidence_score", confidence_score, optional=True)
        c.optional_text("reasoning", reasoning)
        text = dumps({} if evidence is None else evidence, field="evidence")
        vid, ts = str(uuid.uuid4()), store.timestamp()
        with store.transaction():
            tid = a.task_uuid(store, task)
            store.execute("INSERT INTO tier1.council_verdicts (id, task_id, judge_type, verdict, confidence_score, "
                          "reasoning, evidence, created_at) VALUES (?,?,?,?,?,?,?,?)",
                          (vid, tid, judge_type, verdict, score, reasoning, text, ts))
        return CouncilVerdict(vid, tid, judge_type, verdict, score, reasoning, loads(text), ts)

    def verdicts(self, task: str | None = None, *, judge_type: str | None = None,
                 limit: int = 100) -> builtins.list[CouncilVerdict]:
        """Verdicts, oldest first; of one task and/or one judge type if given."""
        store = self._store
        a.require_pack(store)
        c.limit(limit)
        sql, params = f"SELECT {_VERDICT} FROM tier1.council_verdicts WHERE 1", builtins.list[Any]()
        if task is not None:
            sql += " AND task_id = ?"
            params.append(a.task_uuid(store, task))
        if judge_type is not None:
            sql += " AND judge_type = ?"
            params.append(c.text("judge_type", judge_type, max_len=50))
        return [_verdict(r) for r in c.run(store, sql + " ORDER BY created_at, rowid LIMIT ?", [*params, limit])]

    def consensus(self, task: str) -> Consensus:
        """The verdict with the most confidence behind it and its share of all confidence (see
        :class:`Consensus`); no verdicts give ``verdict=None`` and score 0."""
        store = self._store
        a.require_pack(store)
        tid = a.task_uuid(store, task)
        rows = c.run(store, "SELECT verdict, sum(coalesce(confidence_score, 1.0)), count(*) FROM tier1.council_verdicts "
                            "WHERE task_id = ? GROUP BY verdict ORDER BY 2 DESC, 3 DESC, verdict", (tid,))
        total = sum(r[1] for r in rows)
        judges = sum(r[2] for r in rows)
        if not rows or total == 0:
            return Consensus(tid, rows[0][0] if rows else None, 0.0, judges, {r[0]: float(r[1]) for r in rows})
        return Consensus(tid, rows[0][0], round(rows[0][1] / total, 2), judges, {r[0]: round(float(r[1]), 2) for r in rows})

    # -- CAWS violations -------------------------------------------------------------------------------
    def record_violation(self, task: str, rule: str, severity: str, *, description: str | None = None,
                         violation_data: Any = None) -> CawsViolation:
        """Record an open CAWS violation of ``rule`` on a task."""
        store = self._store
        a.require_pack(store)
        store.require_writable()
        c.text("rule", rule, max_len=100)
        c.choice("severity", severity, a.SEVERITIES)
        c.optional_text("description", description)
        text = dumps({} if violation_data is None else violation_data, field="violation_data")
        vid, ts = str(uuid.uuid4()), store.timestamp()
        with store.transaction():
            tid = a.task_uuid(store, task)
            store.execute("INSERT INTO tier1.caws_violations (id, task_id, rule, severity, description, violation_data, "
                          "resolved, created_at) VALUES (?,?,?,?,?,?,0,?)", (vid, tid, rule, severity, description, text, ts))
        return CawsViolation(vid, tid, rule, severity, description, loads(text), False, ts, None, None)

    def resolve_violation(self, violation_id: str, *, resolved_by: str | None = None) -> CawsViolation:
        """Mark a violation resolved (ValidationError if it already is)."""
        store = self._store
        a.require_pack(store)
        store.require_writable()
        c.text("violation_id", violation_id, max_len=64)
        c.optional_text("resolved_by", resolved_by, max_len=255)
        with store.transaction():
            current = self._violation(violation_id)
            if current.resolved:
                raise ValidationError("violation_id", f"violation {violation_id} was already resolved at {current.resolved_at}")
            store.execute("UPDATE tier1.caws_violations SET resolved = 1, resolved_at = ?, resolved_by = ? WHERE id = ?",
                          (store.timestamp(), resolved_by, violation_id))
            return self._violation(violation_id)

    def violations(self, task: str | None = None, *, resolved: bool | None = None,
                   limit: int = 100) -> builtins.list[CawsViolation]:
        """Violations, newest first; of one task and/or open (``resolved=False``) or resolved only."""
        store = self._store
        a.require_pack(store)
        c.limit(limit)
        sql, params = f"SELECT {_VIOLATION} FROM tier1.caws_violations WHERE 1", builtins.list[Any]()
        if task is not None:
            sql += " AND task_id = ?"
            params.append(a.task_uuid(store, task))
        if resolved is not None:
            if not isinstance(resolved, bool):
                raise ValidationError("resolved", "must be True, False or None")
            sql += " AND resolved = ?"
            params.append(int(resolved))
        return [_violation(r) for r in c.run(store, sql + " ORDER BY created_at DESC, rowid DESC LIMIT ?", [*params, limit])]

    def _violation(self, violation_id: str) -> CawsViolation:
        rows = c.run(self._store, f"SELECT {_VIOLATION} FROM tier1.caws_violations WHERE id = ?", (violation_id,))
        if not rows:
            raise NotFoundError(f"no violation {violation_id!r}; list them with db.agency.violations()")
        return _violation(rows[0])

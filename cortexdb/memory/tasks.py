"""Tasks (seed 002 ``tasks`` / ``task_progress`` / ``task_artifacts``) with enforced status
transitions.

Status graph (every other change is a ValidationError naming ``status``)::

    pending   -> running | cancelled
    running   -> paused | completed | failed | cancelled
    paused    -> running | cancelled
    failed    -> pending (retry) | archived
    completed -> archived
    cancelled -> archived
    archived  (final)

The store sets ``updated_at`` on every change, ``started_at`` when a task first runs (again after
a retry), ``completed_at`` on completed | failed | cancelled (cleared by a retry).
"""

from __future__ import annotations

import builtins
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._boundary import public_api
from .._json import dumps, loads
from ..errors import IntegrityError, NotFoundError, ValidationError
from . import _common as c

if TYPE_CHECKING:
    from ..store import Store

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "pending": ("running", "cancelled"),
    "running": ("paused", "completed", "failed", "cancelled"),
    "paused": ("running", "cancelled"),
    "failed": ("pending", "archived"),
    "completed": ("archived",),
    "cancelled": ("archived",),
    "archived": (),
}
STATUSES = tuple(TRANSITIONS)
FINISHED = ("completed", "failed", "cancelled")
RISK_TIERS = (1, 2, 3)

_TASK_COLUMNS = ("id, task_id, description, status, execution_mode, risk_tier, created_at, updated_at, started_at, "
                 "completed_at, error_message, metadata")


@dataclass(frozen=True)
class Task:
    """One task row. ``task_id`` is the caller's key; ``id`` the uuid that progress and artifacts
    reference (seed 002)."""

    id: str
    task_id: str
    description: str
    status: str
    execution_mode: str | None
    risk_tier: int | None
    created_at: str
    updated_at: str
    started_at: str | None
    completed_at: str | None
    error_message: str | None
    metadata: Any


@dataclass(frozen=True)
class Progress:
    """One progress update; ``progress_percentage`` is DECIMAL(5,2): rounded to 2 places."""

    id: str
    task_id: str
    phase: str
    progress_percentage: float | None
    message: str | None
    metadata: Any
    created_at: str


@dataclass(frozen=True)
class Artifact:
    """One execution artifact; ``content`` is any JSON value."""

    id: str
    task_id: str
    artifact_type: str
    content: Any
    created_at: str


def _task(row: tuple[Any, ...]) -> Task:
    values = list(row)
    values[11] = loads(values[11])
    return Task(*values)


def percentage(value: Any, *, field: str = "progress_percentage") -> float | None:
    """Validate a 0–100 percentage and round it to 2 places like seed 002's DECIMAL(5,2)."""
    if value is None:
        return None
    return round(float(c.number(field, value, minimum=0, maximum=100)), 2)


@public_api
class Tasks:
    """``db.tasks``: create tasks, move them through the status graph, record progress and artifacts."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def create(self, description: str, *, task_id: str | None = None, risk_tier: int = 2,
               execution_mode: str = "auto", metadata: Any = None) -> Task:
        """Create a pending task. ``task_id`` (your key, up to 255 chars) defaults to ``task-<uuid>``."""
        store = self._store
        store.require_writable()
        c.text("description", description)
        key = f"task-{uuid.uuid4().hex}" if task_id is None else c.text("task_id", task_id, max_len=255)
        if risk_tier not in RISK_TIERS or isinstance(risk_tier, bool):
            raise ValidationError("risk_tier", f"{risk_tier!r} is not one of 1, 2, 3 (CAWS risk tiers)")
        c.text("execution_mode", execution_mode, max_len=20)
        meta = dumps({} if metadata is None else metadata, field="metadata")
        ts = store.timestamp()
        tid = str(uuid.uuid4())
        try:
            with store.transaction():
                store.execute(
                    "INSERT INTO tier1.tasks (id, task_id, description, status, execution_mode, risk_tier, created_at, "
                    "updated_at, metadata) VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?)",
                    (tid, key, description, execution_mode, risk_tier, ts, ts, meta))
        except IntegrityError as error:
            if "tasks.task_id" not in str(error):
                raise
            raise ValidationError("task_id", f"{key!r} already exists; choose another or use db.tasks.get()") from None
        return Task(tid, key, description, "pending", execution_mode, risk_tier, ts, ts, None, None, None, loads(meta))

    def update_status(self, task_id: str, status: str, *, error: str | None = None) -> Task:
        """Move a task along the status graph (see module doc); ``error`` sets ``error_message``
        (for failed or cancelled)."""
        store = self._store
        store.require_writable()
        c.text("task_id", task_id, max_len=255)
        c.choice("status", status, STATUSES)
        if error is not None:
            c.text("error", error, allow_empty=True)
            if status not in ("failed", "cancelled"):
                raise ValidationError("error", "is only recorded with status failed or cancelled")
        ts = store.timestamp()
        with store.transaction():
            current = self._get(task_id)
            if status not in TRANSITIONS[current.status]:
                allowed = ", ".join(TRANSITIONS[current.status]) or "nothing (final)"
                raise ValidationError("status", f"task {task_id!r} cannot go from {current.status} to {status}; "
                                      f"from {current.status} it can go to {allowed}")
            started = current.started_at
            if status == "running" and (current.status == "pending" or started is None):
                started = ts
            completed = ts if status in FINISHED else (None if status == "pending" else current.completed_at)
            message = error if status in FINISHED else (None if status == "pending" else current.error_message)
            store.execute(
                "UPDATE tier1.tasks SET status = ?, updated_at = ?, started_at = ?, completed_at = ?, "
                "error_message = ? WHERE id = ?", (status, ts, started, completed, message, current.id))
            return self._get(task_id)

    def add_progress(self, task_id: str, phase: str, percentage_done: float | None = None, message: str | None = None,
                     *, metadata: Any = None) -> Progress:
        """Record progress in ``phase`` (up to 100 chars) with a 0–100 percentage; bumps ``updated_at``."""
        store = self._store
        store.require_writable()
        c.text("task_id", task_id, max_len=255)
        c.text("phase", phase, max_len=100)
        pct = percentage(percentage_done)
        c.optional_text("message", message)
        meta = dumps({} if metadata is None else metadata, field="metadata")
        ts = store.timestamp()
        pid = str(uuid.uuid4())
        with store.transaction():
            tid = self._id(task_id)
            store.execute("INSERT INTO tier1.task_progress (id, task_id, phase, progress_percentage, message, metadata, "
                          "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", (pid, tid, phase, pct, message, meta, ts))
            store.execute("UPDATE tier1.tasks SET updated_at = ? WHERE id = ?", (ts, tid))
        return Progress(pid, task_id, phase, pct, message, loads(meta), ts)

    def add_artifact(self, task_id: str, artifact_type: str, content: Any) -> Artifact:
        """Store an execution artifact (``content`` any JSON value) for the task."""
        store = self._store
        store.require_writable()
        c.text("task_id", task_id, max_len=255)
        c.text("artifact_type", artifact_type, max_len=50)
        text = dumps(content, field="content")
        ts = store.timestamp()
        aid = str(uuid.uuid4())
        with store.transaction():
            tid = self._id(task_id)
            store.execute("INSERT INTO tier1.task_artifacts (id, task_id, artifact_type, content, created_at) "
                          "VALUES (?, ?, ?, ?, ?)", (aid, tid, artifact_type, text, ts))
            store.execute("UPDATE tier1.tasks SET updated_at = ? WHERE id = ?", (ts, tid))
        return Artifact(aid, task_id, artifact_type, loads(text), ts)

    def get(self, task_id: str) -> Task:
        """The task with this ``task_id`` (NotFoundError if none)."""
        c.text("task_id", task_id, max_len=255)
        return self._get(task_id)

    def list(self, *, status: str | None = None, limit: int = 50) -> builtins.list[Task]:
        """Tasks, newest first; ``status`` filters (uses ``idx_tasks_status``)."""
        c.limit(limit)
        if status is None:
            rows = c.run(self._store, f"SELECT {_TASK_COLUMNS} FROM tier1.tasks ORDER BY created_at DESC, rowid DESC "
                                      "LIMIT ?", (limit,))
        else:
            c.choice("status", status, STATUSES)
            rows = c.run(self._store, f"SELECT {_TASK_COLUMNS} FROM tier1.tasks WHERE status = ? "
                                      "ORDER BY created_at DESC, rowid DESC LIMIT ?", (status, limit))
        return [_task(r) for r in rows]

    def progress(self, task_id: str) -> builtins.list[Progress]:
        """The task's progress updates, oldest first."""
        c.text("task_id", task_id, max_len=255)
        tid = self._id(task_id)
        rows = c.run(self._store, "SELECT id, phase, progress_percentage, message, metadata, created_at FROM "
                                  "tier1.task_progress WHERE task_id = ? ORDER BY created_at, rowid", (tid,))
        return [Progress(r[0], task_id, r[1], None if r[2] is None else float(r[2]), r[3], loads(r[4]), r[5])
                for r in rows]

    def artifacts(self, task_id: str, *, artifact_type: str | None = None) -> builtins.list[Artifact]:
        """The task's artifacts, oldest first (one type if given)."""
        c.text("task_id", task_id, max_len=255)
        tid = self._id(task_id)
        sql = "SELECT id, artifact_type, content, created_at FROM tier1.task_artifacts WHERE task_id = ?"
        params: builtins.list[Any] = [tid]
        if artifact_type is not None:
            sql += " AND artifact_type = ?"
            params.append(c.text("artifact_type", artifact_type, max_len=50))
        rows = c.run(self._store, sql + " ORDER BY created_at, rowid", params)
        return [Artifact(r[0], task_id, r[1], loads(r[2]), r[3]) for r in rows]

    # -- internals ------------------------------------------------------------------------------
    def _get(self, task_id: str) -> Task:
        rows = c.run(self._store, f"SELECT {_TASK_COLUMNS} FROM tier1.tasks WHERE task_id = ?", (task_id,))
        if not rows:
            raise NotFoundError(f"no task {task_id!r}; check the task_id (db.tasks.list())")
        return _task(rows[0])

    def _id(self, task_id: str) -> str:
        rows = c.run(self._store, "SELECT id FROM tier1.tasks WHERE task_id = ?", (task_id,))
        if not rows:
            raise NotFoundError(f"no task {task_id!r}; check the task_id (db.tasks.list())")
        return rows[0][0]


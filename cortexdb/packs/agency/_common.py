"""Argument checks shared by the agency pack's methods (each raises ValidationError naming the
argument before anything is written) and the task lookup they all use."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ...clock import from_timestamp, to_timestamp
from ...errors import NotFoundError, ValidationError
from ...memory import _common as c

if TYPE_CHECKING:
    from ...store import Store

_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$")
_TOKEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/-]*$")
SEVERITIES = ("info", "low", "medium", "high", "critical")


def require_pack(store: Store) -> None:
    """The agency tables exist only once the pack is enabled."""
    if "agency" not in store.modules:
        raise ValidationError("modules", "the agency pack is not enabled on this store; open it with "
                              "cortexdb.open(home, modules=['agency']) or run `cortexdb init --module agency`")


def fraction(field: str, value: Any, *, optional: bool = False) -> float | None:
    """A 0–1 score rounded to 2 places (seed 002's DECIMAL(3,2))."""
    if value is None and optional:
        return None
    return round(float(c.number(field, value, minimum=0, maximum=1)), 2)


def number(field: str, value: Any, *, bound: float, places: int, optional: bool = False) -> float | None:
    """A finite number with |value| < bound, rounded to ``places`` (a DECIMAL(p, s) range)."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(field, f"must be a number, got {type(value).__name__}")
    if not math.isfinite(value) or abs(value) >= bound:
        raise ValidationError(field, f"must be a finite number with absolute value below {bound:g}, got {value!r}")
    return round(float(value), places)


def token(field: str, value: Any, *, max_len: int) -> str:
    """A short name (letters, digits, ``_ . : / -``): safe on one line of a git trailer."""
    c.text(field, value, max_len=max_len)
    if not _TOKEN.match(value):
        raise ValidationError(field, f"{value!r} must be letters, digits and _ . : / - (starting with a letter or digit)")
    return value


def timestamp(field: str, value: Any) -> str:
    """A timezone-aware datetime or the store's timestamp text, as the store's timestamp text."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValidationError(field, "must be timezone-aware (e.g. datetime.now(UTC) + timedelta(days=7))")
        return to_timestamp(value.astimezone(UTC).timestamp())
    if isinstance(value, str) and _TIMESTAMP.match(value):
        try:
            return to_timestamp(from_timestamp(value))
        except ValueError:
            pass
    raise ValidationError(field, f"must be a timezone-aware datetime or 'YYYY-MM-DD HH:MM:SS[.fff]' UTC text, got {value!r}")


def task_uuid(store: Store, task: Any, *, field: str = "task_id") -> str:
    """The uuid (``tasks.id``) of the task named by its ``task_id`` key or by that uuid."""
    c.text(field, task, max_len=255)
    rows = c.run(store, "SELECT id FROM tier1.tasks WHERE task_id = ?1 UNION ALL "
                        "SELECT id FROM tier1.tasks WHERE id = ?1 LIMIT 1", (task,))
    if not rows:
        raise NotFoundError(f"no task {task!r}; pass a task's task_id or id (db.agency.tasks())")
    return rows[0][0]


def task_key(store: Store, task: Any) -> str:
    """The ``task_id`` key of the task named by its key or its uuid."""
    c.text("task_id", task, max_len=255)
    rows = c.run(store, "SELECT task_id FROM tier1.tasks WHERE task_id = ?1 UNION ALL "
                        "SELECT task_id FROM tier1.tasks WHERE id = ?1 LIMIT 1", (task,))
    if not rows:
        raise NotFoundError(f"no task {task!r}; pass a task's task_id or id (db.agency.tasks())")
    return rows[0][0]

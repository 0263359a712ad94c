"""Time as the store sees it: an injectable clock, and the one timestamp text format.

Timestamps are UTC text ``YYYY-MM-DD HH:MM:SS.SSS``: SQLite's date functions read it, it sorts
correctly as text, and it matches ``strftime('%Y-%m-%d %H:%M:%f', 'now')`` used in SQL defaults.
Retention, decay and TTL tests move a :class:`ManualClock` instead of sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from .errors import ValidationError

Clock = Callable[[], float]
"""A clock returns seconds since the Unix epoch (UTC), like ``time.time``."""

SQL_NOW = "strftime('%Y-%m-%d %H:%M:%f','now')"


def system_clock() -> float:
    """The wall clock."""
    return time.time()


class ManualClock:
    """A clock that moves only when told to; for tests and simulations."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:  # 2026-01-01T00:00:00Z
        self.now = float(start)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        """Move forward by ``seconds`` and return the new time."""
        self.now += seconds
        return self.now


EPOCH_RANGE = (-62_135_596_800.0, 253_402_300_799.0)
"""The epoch seconds the timestamp text can show: 0001-01-01 00:00:00 to 9999-12-31 23:59:59 UTC."""


def to_timestamp(epoch: float, *, field: str = "time") -> str:
    """Format epoch seconds as the store's timestamp text; ValidationError (naming ``field``) for
    NaN, infinity or a moment outside years 1 to 9999."""
    if not EPOCH_RANGE[0] <= epoch <= EPOCH_RANGE[1]:
        raise ValidationError(field, f"{epoch!r} epoch seconds is outside years 1 to 9999 (or not a number)")
    moment = datetime.fromtimestamp(epoch, tz=UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def from_timestamp(text: str) -> float:
    """Parse the store's timestamp text (or SQLite's CURRENT_TIMESTAMP form) to epoch seconds."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()

"""``db.grace.resilience``: circuit breakers, driven by recorded successes and failures.

A breaker is ``closed`` until ``failure_threshold`` consecutive failures open it; once
``recovery_timeout`` seconds of store-clock time have passed, :meth:`GraceResilience.allow`
moves it to ``half_open`` and lets calls through; ``half_open_successes`` successes close it,
one failure opens it again. Each trip is counted (``trip_count``), so the seed's health check
(breakers not closed) and trip metrics read straight from the table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..._boundary import public_api
from ...errors import NotFoundError
from ...memory import _common as c
from ._common import require_pack

if TYPE_CHECKING:
    from ...store import Store

STATES = ("closed", "open", "half_open")


@public_api
class GraceResilience:
    """Circuit breakers per component; see the module docstring."""

    def __init__(self, store: Store) -> None:
        require_pack(store)
        self._store = store

    def breaker(self, component: str, *, failure_threshold: int = 5, recovery_timeout: float = 60.0,
                half_open_successes: int = 1) -> dict[str, Any]:
        """Create the breaker of ``component`` if missing (closed) and return its row."""
        c.text("component", component, max_len=255)
        c.integer("failure_threshold", failure_threshold, minimum=1)
        c.number("recovery_timeout", recovery_timeout, minimum=0.001)
        c.integer("half_open_successes", half_open_successes, minimum=1)
        store = self._store
        with store.transaction():
            store.execute("INSERT OR IGNORE INTO tier1.circuit_breakers (component_name, failure_threshold, "
                          "recovery_timeout_seconds, half_open_successes, updated_at) VALUES (?, ?, ?, ?, ?)",
                          (component, failure_threshold, float(recovery_timeout), half_open_successes, store.timestamp()))
        return self.state(component)

    def state(self, component: str) -> dict[str, Any]:
        """The breaker's row (NotFoundError if it was never created)."""
        c.text("component", component, max_len=255)
        rows = self._store.query("SELECT * FROM tier1.circuit_breakers WHERE component_name = ?", (component,))
        if not rows:
            raise NotFoundError(f"no circuit breaker for {component!r}; create it with db.grace.resilience.breaker()")
        return rows[0]

    def allow(self, component: str) -> bool:
        """May a call to ``component`` go ahead? An open breaker past its recovery timeout turns half_open."""
        row = self.state(component)
        if row["state"] != "open":
            return True
        store = self._store
        if store.now() - row["opened_at_epoch"] < row["recovery_timeout_seconds"]:
            return False
        with store.transaction():
            store.execute("UPDATE tier1.circuit_breakers SET state = 'half_open', success_count = 0, updated_at = ? "
                          "WHERE component_name = ? AND state = 'open'", (store.timestamp(), component))
        return True

    def record_success(self, component: str) -> str:
        """Record a successful call; return the breaker's state after it."""
        self.state(component)
        store = self._store
        with store.transaction():
            return str(store.execute(
                "UPDATE tier1.circuit_breakers SET success_count = success_count + 1, "
                "failure_count = CASE WHEN state = 'closed' THEN 0 ELSE failure_count END, "
                "state = CASE WHEN state = 'half_open' AND success_count + 1 >= half_open_successes THEN 'closed' ELSE state END, "
                "updated_at = ?1 WHERE component_name = ?2 RETURNING state", (store.timestamp(), component))[0][0])

    def record_failure(self, component: str) -> str:
        """Record a failed call; return the breaker's state after it (open once the threshold is reached)."""
        self.state(component)
        store = self._store
        now, ts = store.now(), store.timestamp()
        with store.transaction():
            return str(store.execute(
                "UPDATE tier1.circuit_breakers SET failure_count = failure_count + 1, last_failure_at = ?1, updated_at = ?1, "
                "trip_count = trip_count + (state = 'half_open' OR (state = 'closed' AND failure_count + 1 >= failure_threshold)), "
                "opened_at_epoch = CASE WHEN state = 'half_open' OR (state = 'closed' AND failure_count + 1 >= failure_threshold) "
                "THEN ?2 ELSE opened_at_epoch END, "
                "state = CASE WHEN state = 'half_open' OR (state = 'closed' AND failure_count + 1 >= failure_threshold) "
                "THEN 'open' ELSE state END WHERE component_name = ?3 RETURNING state", (ts, now, component))[0][0])

    def reset(self, component: str) -> None:
        """Close the breaker by hand (an operator's decision), clearing its counts."""
        self.state(component)
        store = self._store
        with store.transaction():
            store.execute("UPDATE tier1.circuit_breakers SET state = 'closed', failure_count = 0, success_count = 0, "
                          "opened_at_epoch = NULL, updated_at = ? WHERE component_name = ?", (store.timestamp(), component))

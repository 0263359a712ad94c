"""The Grace pack (``cortexdb.open(home, modules=["grace"])``): the 81 tables of the Grace system's
11 components (:mod:`.catalog`) and their key patterns, as ``db.grace``.

Per component: ``db.grace.core`` (audit entries fed into and verified by the audit chain),
``db.grace.memory`` (lightning cache, fusion storage with zstd and checksums, librarian FTS5
search, access patterns; structured memory is ``db.memory``), ``db.grace.ingress`` (sources and
PII-scanned ingestion), ``db.grace.resilience`` (circuit breakers), ``db.grace.deployments``
(model registry, approvals, canary with SLO rollback), ``db.grace.comms`` (dead-letter retry and
message dedupe). Immutability (governance decisions, dataset versions, model approvals) and
append-only logs are enforced by triggers in the schema, so they hold for any writer.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from ..._boundary import public_api
from ._common import require_pack
from .catalog import COMPONENTS, TABLES, GraceTable
from .comms import GraceComms
from .core import AuditCheck, GraceCore
from .deployments import GraceDeployments
from .ingress import GraceIngress, Ingested
from .memory import FusionEntry, GraceMemory
from .resilience import GraceResilience

if TYPE_CHECKING:
    from ...store import Store

HEALTH_CHECKS: dict[str, str] = {
    "stuck_tasks": "SELECT * FROM orchestration_tasks \nWHERE status='running' AND started_at < datetime('now', '-1 hour');",
    "high_error_rates": ("SELECT source_id, AVG(error_rate) as avg_error_rate\nFROM processing_metrics\n"
                         "WHERE timestamp >= datetime('now', '-1 hour')\nGROUP BY source_id\nHAVING avg_error_rate > 0.05;"),
    "open_circuit_breakers": "SELECT component_name, state, failure_count\nFROM circuit_breakers\nWHERE state != 'closed';",
}
"""The Grace system's health-check queries, verbatim; they run through ``db.query``."""


@public_api
class Grace:
    """``db.grace``: one attribute per component API; see the package docstring."""

    def __init__(self, store: Store) -> None:
        require_pack(store)
        self._store = store

    @functools.cached_property
    def core(self) -> GraceCore:
        return GraceCore(self._store)

    @functools.cached_property
    def memory(self) -> GraceMemory:
        return GraceMemory(self._store)

    @functools.cached_property
    def ingress(self) -> GraceIngress:
        return GraceIngress(self._store)

    @functools.cached_property
    def resilience(self) -> GraceResilience:
        return GraceResilience(self._store)

    @functools.cached_property
    def deployments(self) -> GraceDeployments:
        return GraceDeployments(self._store)

    @functools.cached_property
    def comms(self) -> GraceComms:
        return GraceComms(self._store)

    def health(self) -> dict[str, list[dict[str, object]]]:
        """The rows each health-check query finds (an empty list is healthy)."""
        return {name: self._store.query(sql) for name, sql in HEALTH_CHECKS.items()}


__all__ = ["COMPONENTS", "HEALTH_CHECKS", "TABLES", "AuditCheck", "FusionEntry", "Grace", "GraceComms", "GraceCore",
           "GraceDeployments", "GraceIngress", "GraceMemory", "GraceResilience", "GraceTable", "Ingested"]

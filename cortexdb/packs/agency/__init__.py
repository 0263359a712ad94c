"""The agency pack (``cortexdb.open(home, modules=["agency"])``): seed 002's governance, signed
provenance and monitoring over cortexdb's tasks, as ``db.agency``.

``db.agency`` carries seed 002's ``DatabaseClient`` methods by name (``create_task``, ``get_task``,
``update_task_status``, ``list_active_waivers``, ``create_waiver``, ``get_provenance_by_commit``,
``link_provenance_to_commit``) and what a user needs around them: council verdicts and their
consensus, CAWS violations, signed provenance records and their verification, git commits,
metrics, SLO measurements and alerts. Tables by tier: waivers in tier 0 (governance); council
verdicts and violations in tier 1 beside the tasks they reference; provenance records and git
commits in tier 2; metrics, SLOs and alerts in tier 3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..._boundary import public_api
from .council import CouncilMethods
from .models import (
    Alert,
    CawsViolation,
    Consensus,
    CouncilVerdict,
    GitCommit,
    ProvenanceCheck,
    ProvenanceRecord,
    ProvenanceReport,
    SloMeasurement,
    SystemMetric,
    Waiver,
)
from .monitoring import MonitoringMethods
from .provenance import ProvenanceMethods
from .waivers import WaiverMethods

if TYPE_CHECKING:
    from ...store import Store


@public_api
class Agency(CouncilMethods, WaiverMethods, ProvenanceMethods, MonitoringMethods):
    """``db.agency``: see the package docstring; each group of methods lives in its own module."""

    def __init__(self, store: Store) -> None:
        self._store = store


__all__ = ["Agency", "Alert", "CawsViolation", "Consensus", "CouncilVerdict", "GitCommit", "ProvenanceCheck",
           "ProvenanceRecord", "ProvenanceReport", "SloMeasurement", "SystemMetric", "Waiver"]

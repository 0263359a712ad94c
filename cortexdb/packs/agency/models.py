"""The agency pack's results: frozen dataclasses whose fields are seed 002's column names.

``task_id`` in verdicts, violations and provenance records is the task's uuid (``tasks.id``), as
in the seed; the methods taking a task accept either that uuid or the task's ``task_id`` key.
JSON columns come back decoded; timestamps are the store's timestamp text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


def field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def from_row(cls: type[T], names: tuple[str, ...], row: Sequence[Any], **decoded: Any) -> T:
    """A result built from a row in field order (``names``: :func:`field_names`; ``decoded``
    replaces the JSON and boolean columns by their values) without running the generated
    ``__init__`` of a frozen dataclass: it assigns each field through ``object.__setattr__``, which
    doubled the cost of listing calls. Equality, repr and immutability are unchanged."""
    obj = object.__new__(cls)
    values = obj.__dict__
    values.update(zip(names, row, strict=True))
    values.update(decoded)
    return obj


@dataclass(frozen=True)
class Waiver:
    """A quality-gate waiver; ``gates`` is the list of gates it covers."""

    id: str
    title: str
    reason: str
    description: str
    gates: list[str]
    approved_by: str
    impact_level: str
    mitigation_plan: str
    expires_at: str
    status: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class CouncilVerdict:
    """One judge's verdict on a task; ``confidence_score`` is 0–1 (DECIMAL(3,2): 2 places)."""

    id: str
    task_id: str
    judge_type: str
    verdict: str
    confidence_score: float | None
    reasoning: str | None
    evidence: Any
    created_at: str


@dataclass(frozen=True)
class Consensus:
    """The council's answer for a task: the verdict carrying the most confidence and its share.

    ``consensus_score`` = confidence behind ``verdict`` / all confidence (a verdict without a
    confidence counts 1), rounded to 2 places; ``weights`` is the confidence per verdict.
    """

    task_id: str
    verdict: str | None
    consensus_score: float
    judges: int
    weights: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class CawsViolation:
    """A CAWS compliance violation found on a task."""

    id: str
    task_id: str
    rule: str
    severity: str
    description: str | None
    violation_data: Any
    resolved: bool
    created_at: str
    resolved_at: str | None
    resolved_by: str | None


@dataclass(frozen=True)
class ProvenanceRecord:
    """A signed provenance record (see :mod:`.signing` for what the signature covers)."""

    verdict_id: str
    task_id: str
    decision_type: str
    decision_data: Any
    consensus_score: float
    judge_verdicts: Any
    caws_compliance: Any
    claim_verification: Any
    git_commit_hash: str | None
    git_trailer: str
    signature: str
    timestamp: str
    metadata: Any
    created_at: str


@dataclass(frozen=True)
class GitCommit:
    """A git commit known to the store, optionally linked to a provenance record."""

    hash: str
    author: str | None
    message: str | None
    timestamp: str | None
    provenance_record_id: str | None
    created_at: str


@dataclass(frozen=True)
class ProvenanceCheck:
    """One record's verification: ``ok``, or ``problem`` saying what does not verify."""

    verdict_id: str
    ok: bool
    problem: str | None = None


@dataclass(frozen=True)
class ProvenanceReport:
    """``verify_provenance()``'s answer: ``ok`` only if every checked record verifies."""

    ok: bool
    checked: int
    failures: list[ProvenanceCheck] = field(default_factory=list)


@dataclass(frozen=True)
class SystemMetric:
    """One metric sample; ``metric_value`` is DECIMAL(15,6): rounded to 6 places."""

    id: str
    metric_name: str
    metric_value: float
    labels: Any
    collected_at: str


@dataclass(frozen=True)
class SloMeasurement:
    """One SLO measurement; ``measurement_period`` is in seconds (the seed's INTERVAL)."""

    id: str
    slo_name: str
    target_value: float | None
    actual_value: float | None
    compliance_percentage: float | None
    measurement_period: float | None
    measured_at: str


@dataclass(frozen=True)
class Alert:
    """An alert (one design for seed 002's alerting and seed 004's deployment alerts)."""

    id: str
    alert_type: str
    severity: str
    title: str
    description: str | None
    status: str
    acknowledged_by: str | None
    acknowledged_at: str | None
    resolved_at: str | None
    metadata: Any
    created_at: str
    source: str | None
    subject: str | None
    resolved_by: str | None

"""The Grace system's three health-check queries as a check of the health review (``db.health``),
run only on stores with the Grace pack enabled. Registered when a store with the pack is opened
(so stores without it never import the pack)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...lifecycle.health import Issue, register_check
from . import HEALTH_CHECKS
from .catalog import MODULE

if TYPE_CHECKING:
    from ...store import Store

_FINDINGS = {
    "stuck_tasks": ("rule_compliance", "medium", "orchestration task(s) running for over an hour",
                    "mark them failed or rolled_back (orchestration_tasks.status) after checking their loop"),
    "high_error_rates": ("performance", "high", "source(s) with an error rate above 5% in the last hour",
                         "check the source (source_health) and lower its trust score if it persists"),
    "open_circuit_breakers": ("rule_compliance", "medium", "circuit breaker(s) not closed",
                              "check the component; db.grace.resilience.reset(component) once it is healthy"),
}


@register_check("grace_health_checks", "rule_compliance")
def check_grace(store: Store) -> list[Issue]:
    if MODULE not in store.modules:
        return []
    issues = []
    for name, sql in HEALTH_CHECKS.items():
        rows = store.query(sql)
        if rows:
            category, severity, title, recommendation = _FINDINGS[name]
            listed = "; ".join(", ".join(f"{k}={v}" for k, v in row.items()) for row in rows[:5])
            issues.append(Issue(category, severity, f"{len(rows)} {title}", listed, recommendation=recommendation))
    return issues

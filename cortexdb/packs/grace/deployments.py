"""``db.grace.deployments``: the MLDL model registry and canary rollouts.

Models move development -> staging -> production; production needs an approval, which is
recorded as a governance decision (``db.audit.record_decision``) and an immutable
``model_approvals`` row (a trigger refuses production without one). A canary deployment walks
the traffic stages 5 -> 25 -> 50 -> 100 % (``canary_progress``); each observation is kept in
``model_metrics`` and checked against the deployment's SLOs (``{"metric": {"max"|"min": x}}``).
A violation is recorded (``slo_violations``, an ``alerts`` row; tier 3, committed first), then the
deployment rolls back (tier 2: traffic 0, ``rolled_back``, ``deployment_rollback_history``).
The rollback is idempotent, so a crash between the two tiers is repaired by observing again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..._boundary import public_api
from ..._json import loads
from ...errors import NotFoundError, ValidationError
from ...memory import _common as c
from ._common import canonical, new_id, require_pack

if TYPE_CHECKING:
    from ...store import Store

STAGES = ("development", "staging", "production")
CANARY_STEPS = (5, 25, 50, 100)


@public_api
class GraceDeployments:
    """Model registry, approvals and canary rollouts with SLO rollback; see the module docstring."""

    def __init__(self, store: Store) -> None:
        require_pack(store)
        self._store = store

    def register_model(self, name: str, version: str, *, artifact_uri: str | None = None) -> str:
        """Register a model in ``development``; return its model_id."""
        c.text("name", name, max_len=255)
        c.text("version", version, max_len=255)
        c.optional_text("artifact_uri", artifact_uri)
        store, model_id, now = self._store, new_id(), self._store.timestamp()
        with store.transaction():
            store.execute("INSERT INTO tier2.models (model_id, name, version, artifact_uri, created_at, updated_at) "
                          "VALUES (?, ?, ?, ?, ?, ?)", (model_id, name, version, artifact_uri, now, now))
        return model_id

    def approve(self, model_id: str, target_stage: str, *, approver: str, approved: bool = True,
                reasons: str | None = None, risk_level: str = "medium") -> str:
        """Record a governance decision and an immutable approval for ``target_stage``; return the approval_id."""
        self._model(model_id)
        c.choice("target_stage", target_stage, STAGES[1:])
        c.text("approver", approver, max_len=255)
        c.optional_text("reasons", reasons)
        decision = self._store.audit.record_decision(
            "model_approval", f"model:{model_id}:{target_stage}", "approved" if approved else "rejected",
            decided_by=approver, risk_level=risk_level, rationale=reasons)
        store, approval_id = self._store, new_id()
        with store.transaction():
            store.execute("INSERT INTO tier2.model_approvals (approval_id, model_id, target_stage, approved, approver, "
                          "governance_decision_id, reasons, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                          (approval_id, model_id, target_stage, int(approved), approver, decision.decision_id, reasons,
                           store.timestamp()))
        return approval_id

    def promote(self, model_id: str, stage: str) -> None:
        """Move a model to ``stage`` (production is refused by the database without an approval)."""
        self._model(model_id)
        c.choice("stage", stage, STAGES)
        store = self._store
        with store.transaction():
            store.execute("UPDATE tier2.models SET stage = ?, updated_at = ? WHERE model_id = ?", (stage, store.timestamp(), model_id))

    def start_canary(self, model_id: str, *, slos: dict[str, dict[str, float]], baseline_model_id: str | None = None,
                     environment: str = "production") -> str:
        """Start a canary at 5 % traffic with the given SLOs; return the deployment_id."""
        self._model(model_id)
        if baseline_model_id is not None:
            self._model(baseline_model_id, field="baseline_model_id")
        c.text("environment", environment, max_len=255)
        self._check_slos(slos)
        store, deployment_id, now = self._store, new_id(), self._store.timestamp()
        with store.transaction():
            store.execute("INSERT INTO tier2.model_deployments (deployment_id, model_id, baseline_model_id, environment, "
                          "traffic_percent, status, deployed_at, updated_at) VALUES (?, ?, ?, ?, 5, 'canary', ?, ?)",
                          (deployment_id, model_id, baseline_model_id, environment, now, now))
            store.execute("INSERT INTO tier2.canary_progress (deployment_id, stage_percent, metrics_json, entered_at) "
                          "VALUES (?, 5, ?, ?)", (deployment_id, canonical({"slos": slos}), now))
        return deployment_id

    @staticmethod
    def _check_slos(slos: Any) -> None:
        if not isinstance(slos, dict) or not slos:
            raise ValidationError("slos", 'must be a non-empty dict like {"error_rate": {"max": 0.05}}')
        for metric, bound in slos.items():
            c.text("slos", metric, max_len=255)
            if not isinstance(bound, dict) or not bound or set(bound) - {"max", "min"}:
                raise ValidationError("slos", f"{metric!r} must map to {{'max': x}} and/or {{'min': x}}")
            for value in bound.values():
                c.number("slos", value)

    def status(self, deployment_id: str) -> dict[str, Any]:
        """The deployment row with its canary stages."""
        c.text("deployment_id", deployment_id, max_len=255)
        rows = self._store.query("SELECT * FROM tier2.model_deployments WHERE deployment_id = ?", (deployment_id,))
        if not rows:
            raise NotFoundError(f"no deployment {deployment_id!r}")
        row = rows[0]
        row["stages"] = self._store.query("SELECT stage_percent, status, entered_at, completed_at FROM tier2.canary_progress "
                                          "WHERE deployment_id = ? ORDER BY stage_percent", (deployment_id,))
        return row

    def advance(self, deployment_id: str) -> int:
        """Pass the current canary stage and enter the next (5 -> 25 -> 50 -> 100); return the new traffic %."""
        row = self.status(deployment_id)
        if row["status"] != "canary":
            raise ValidationError("deployment_id", f"deployment {deployment_id!r} is {row['status']}, not a running canary")
        current = row["traffic_percent"]
        following = CANARY_STEPS[CANARY_STEPS.index(current) + 1]
        store, now = self._store, self._store.timestamp()
        with store.transaction():
            store.execute("UPDATE tier2.canary_progress SET status = 'passed', completed_at = ? WHERE deployment_id = ? "
                          "AND stage_percent = ?", (now, deployment_id, current))
            store.execute("INSERT INTO tier2.canary_progress (deployment_id, stage_percent, entered_at) VALUES (?, ?, ?)",
                          (deployment_id, following, now))
            store.execute("UPDATE tier2.model_deployments SET traffic_percent = ?, status = ?, updated_at = ? "
                          "WHERE deployment_id = ?", (following, "active" if following == 100 else "canary", now, deployment_id))
        return following

    def observe(self, deployment_id: str, metrics: dict[str, float]) -> list[str]:
        """Record runtime metrics and check them against the SLOs; on a violation roll the canary
        back. Return the violated SLO names (empty when all hold)."""
        row = self.status(deployment_id)
        if not isinstance(metrics, dict) or not metrics:
            raise ValidationError("metrics", "must be a non-empty dict of metric name -> number")
        for name, value in metrics.items():
            c.text("metrics", name, max_len=255)
            c.number("metrics", value)
        slos = loads(self._store.execute("SELECT metrics_json FROM tier2.canary_progress WHERE deployment_id = ? "
                                         "AND stage_percent = 5", (deployment_id,))[0][0])["slos"]
        violated = []
        for name, bound in slos.items():
            if name not in metrics:
                continue
            value = float(metrics[name])
            if "max" in bound and value > bound["max"]:
                violated.append((name, value, bound["max"], "max"))
            elif "min" in bound and value < bound["min"]:
                violated.append((name, value, bound["min"], "min"))
        store, now = self._store, self._store.timestamp()
        ids = []
        with store.transaction():
            store.conn.executemany(
                "INSERT INTO tier3.model_metrics (model_id, deployment_id, metric_name, value, recorded_at) VALUES (?, ?, ?, ?, ?)",
                [(row["model_id"], deployment_id, k, float(v), now) for k, v in metrics.items()])
            for name, value, threshold, comparison in violated:
                violation_id = new_id()
                ids.append(violation_id)
                store.execute("INSERT INTO tier3.slo_violations (violation_id, deployment_id, model_id, slo_name, observed, "
                              "threshold, comparison, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                              (violation_id, deployment_id, row["model_id"], name, float(value), float(threshold), comparison, now))
                store.execute("INSERT INTO tier3.alerts (alert_id, source, severity, title, details_json, slo_violation_id, "
                              "created_at) VALUES (?, 'canary', 'critical', ?, ?, ?, ?)",
                              (new_id(), f"SLO {name} violated by deployment {deployment_id}",
                               canonical({"observed": value, "threshold": threshold}), violation_id, now))
        if violated and row["status"] == "canary":
            self._rollback(deployment_id, row["traffic_percent"], f"SLO violated: {', '.join(v[0] for v in violated)}", ids[0])
        return [v[0] for v in violated]

    def _rollback(self, deployment_id: str, from_percent: int, reason: str, violation_id: str) -> None:
        store, now = self._store, self._store.timestamp()
        with store.transaction():
            if not store.execute("UPDATE tier2.model_deployments SET status = 'rolled_back', traffic_percent = 0, updated_at = ? "
                                 "WHERE deployment_id = ? AND status = 'canary' RETURNING 1", (now, deployment_id)):
                return
            store.execute("UPDATE tier2.canary_progress SET status = 'rolled_back', completed_at = ? WHERE deployment_id = ? "
                          "AND stage_percent = ?", (now, deployment_id, from_percent))
            store.execute("INSERT INTO tier2.deployment_rollback_history (deployment_id, from_percent, reason, slo_violation_id, "
                          "rolled_back_at) VALUES (?, ?, ?, ?, ?)", (deployment_id, from_percent, reason, violation_id, now))

    def _model(self, model_id: Any, *, field: str = "model_id") -> None:
        c.text(field, model_id, max_len=255)
        if not self._store.execute("SELECT 1 FROM tier2.models WHERE model_id = ?", (model_id,)):
            raise NotFoundError(f"no model {model_id!r}; register it with db.grace.deployments.register_model()")

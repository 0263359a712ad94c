"""Metrics, SLO measurements and alerts (tier 3).

SLO compliance: for a higher-is-better objective ``min(100, actual / target * 100)``; for
``lower_is_better`` (latency, error rate) ``min(100, target / actual * 100)`` (100 when actual is
0); rounded to 2 places. Alert status: ``active`` -> ``acknowledged`` -> ``resolved``, or
``active`` -> ``resolved``; resolved is final.
"""

from __future__ import annotations

import builtins
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ..._json import dumps, loads
from ...clock import to_timestamp
from ...errors import NotFoundError, ValidationError
from ...memory import _common as c
from . import _common as a
from .models import Alert, SloMeasurement, SystemMetric, field_names, from_row

if TYPE_CHECKING:
    from ...store import Store

ALERT_STATUSES = ("active", "acknowledged", "resolved")
_METRIC = "id, metric_name, metric_value, labels, collected_at"
_SLO = "id, slo_name, target_value, actual_value, compliance_percentage, measurement_period, measured_at"
_ALERT = ("id, alert_type, severity, title, description, status, acknowledged_by, acknowledged_at, resolved_at, metadata, "
          "created_at, source, subject, resolved_by")

_ALERT_FIELDS = field_names(Alert)

def _alert(row: tuple[Any, ...]) -> Alert:
    return from_row(Alert, _ALERT_FIELDS, row, metadata=loads(row[9]))


def compliance(target: float, actual: float, *, lower_is_better: bool) -> float:
    """The compliance percentage of one measurement (see the module docstring)."""
    if lower_is_better:  # the ratio flips: meeting a lower target is actual <= target
        target, actual = actual, target
    ratio = 1.0 if target <= 0 else actual / target
    return round(min(100.0, max(0.0, ratio * 100)), 2)


def _seconds(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0 or value == float("inf"):
        raise ValidationError("measurement_period", f"must be seconds >= 0 or a timedelta, got {value!r}")
    return float(value)


class MonitoringMethods:
    _store: Store

    # -- metrics ----------------------------------------------------------------------------------
    def record_metric(self, metric_name: str, metric_value: float, *, labels: Any = None) -> SystemMetric:
        """Record one sample of ``metric_name`` (DECIMAL(15,6): |value| < 1e9, 6 places)."""
        store = self._store
        a.require_pack(store)
        store.require_writable()
        c.text("metric_name", metric_name, max_len=100)
        value = a.number("metric_value", metric_value, bound=1e9, places=6)
        text = dumps({} if labels is None else labels, field="labels")
        mid, ts = str(uuid.uuid4()), store.timestamp()
        with store.transaction():
            store.execute("INSERT INTO tier3.system_metrics (id, metric_name, metric_value, labels, collected_at) "
                          "VALUES (?,?,?,?,?)", (mid, metric_name, value, text, ts))
        assert value is not None
        return SystemMetric(mid, metric_name, value, loads(text), ts)

    def metrics(self, metric_name: str | None = None, *, limit: int = 100) -> builtins.list[SystemMetric]:
        """Samples, newest first (``idx_system_metrics_name_time`` when a name is given)."""
        store = self._store
        a.require_pack(store)
        c.limit(limit)
        if metric_name is None:
            rows = c.run(store, f"SELECT {_METRIC} FROM tier3.system_metrics ORDER BY collected_at DESC LIMIT ?", (limit,))
        else:
            rows = c.run(store, f"SELECT {_METRIC} FROM tier3.system_metrics WHERE metric_name = ? "
                                "ORDER BY collected_at DESC LIMIT ?", (c.text("metric_name", metric_name, max_len=100), limit))
        return [SystemMetric(r[0], r[1], r[2], loads(r[3]), r[4]) for r in rows]

    # -- SLOs ---------------------------------------------------------------------------------------
    def record_slo(self, slo_name: str, *, target_value: float, actual_value: float, measurement_period: Any = None,
                   lower_is_better: bool = False) -> SloMeasurement:
        """Record a measurement of ``slo_name``; the compliance percentage is computed."""
        store = self._store
        a.require_pack(store)
        store.require_writable()
        c.text("slo_name", slo_name, max_len=100)
        target = a.number("target_value", target_value, bound=1e6, places=4)
        actual = a.number("actual_value", actual_value, bound=1e6, places=4)
        assert target is not None and actual is not None
        period = _seconds(measurement_period)
        pct = compliance(target, actual, lower_is_better=bool(lower_is_better))
        sid, ts = str(uuid.uuid4()), store.timestamp()
        with store.transaction():
            store.execute(f"INSERT INTO tier3.slo_measurements ({_SLO}) VALUES (?,?,?,?,?,?,?)",
                          (sid, slo_name, target, actual, pct, period, ts))
        return SloMeasurement(sid, slo_name, target, actual, pct, period, ts)

    def slo_measurements(self, slo_name: str | None = None, *, limit: int = 100) -> builtins.list[SloMeasurement]:
        store = self._store
        a.require_pack(store)
        c.limit(limit)
        if slo_name is None:
            rows = c.run(store, f"SELECT {_SLO} FROM tier3.slo_measurements ORDER BY measured_at DESC LIMIT ?", (limit,))
        else:
            rows = c.run(store, f"SELECT {_SLO} FROM tier3.slo_measurements WHERE slo_name = ? "
                                "ORDER BY measured_at DESC LIMIT ?", (c.text("slo_name", slo_name, max_len=100), limit))
        return [SloMeasurement(*r) for r in rows]

    def slo_compliance(self, *, hours: float = 24) -> builtins.list[dict[str, Any]]:
        """Seed 002's SLO compliance query: per SLO, average and minimum compliance over the last
        ``hours`` of the store's clock."""
        from .queries import SLO_COMPLIANCE

        a.require_pack(self._store)
        if isinstance(hours, bool) or not isinstance(hours, (int, float)) or not 0 < hours < 1e6:
            raise ValidationError("hours", f"must be a number of hours > 0, got {hours!r}")
        return self._store.query(SLO_COMPLIANCE, {"since": to_timestamp(self._store.now() - hours * 3600)})

    # -- alerts -------------------------------------------------------------------------------------
    def raise_alert(self, alert_type: str, severity: str, title: str, *, description: str | None = None,
                    metadata: Any = None, source: str | None = None, subject: str | None = None) -> Alert:
        """Open an active alert; ``source`` says what raised it (slo, metric, deployment, ...) and
        ``subject`` which SLO, metric or deployment it concerns."""
        store = self._store
        a.require_pack(store)
        store.require_writable()
        c.text("alert_type", alert_type, max_len=50)
        c.choice("severity", severity, a.SEVERITIES)
        c.text("title", title, max_len=255)
        c.optional_text("description", description)
        c.optional_text("source", source, max_len=50)
        c.optional_text("subject", subject, max_len=255)
        text = dumps({} if metadata is None else metadata, field="metadata")
        aid, ts = str(uuid.uuid4()), store.timestamp()
        with store.transaction():
            store.execute("INSERT INTO tier3.alerts (id, alert_type, severity, title, description, status, metadata, "
                          "created_at, source, subject) VALUES (?,?,?,?,?,'active',?,?,?,?)",
                          (aid, alert_type, severity, title, description, text, ts, source, subject))
        return Alert(aid, alert_type, severity, title, description, "active", None, None, None, loads(text), ts,
                     source, subject, None)

    def acknowledge_alert(self, alert_id: str, acknowledged_by: str) -> Alert:
        """Acknowledge an active alert (ValidationError if it is not active)."""
        store = self._store
        a.require_pack(store)
        store.require_writable()
        c.text("acknowledged_by", acknowledged_by, max_len=255)
        with store.transaction():
            current = self.get_alert(alert_id)
            if current.status != "active":
                raise ValidationError("alert_id", f"alert {alert_id} is {current.status}; only an active alert is acknowledged")
            store.execute("UPDATE tier3.alerts SET status = 'acknowledged', acknowledged_by = ?, acknowledged_at = ? "
                          "WHERE id = ?", (acknowledged_by, store.timestamp(), alert_id))
            return self.get_alert(alert_id)

    def resolve_alert(self, alert_id: str, *, resolved_by: str | None = None) -> Alert:
        """Resolve an active or acknowledged alert (ValidationError if already resolved)."""
        store = self._store
        a.require_pack(store)
        store.require_writable()
        c.optional_text("resolved_by", resolved_by, max_len=255)
        with store.transaction():
            current = self.get_alert(alert_id)
            if current.status == "resolved":
                raise ValidationError("alert_id", f"alert {alert_id} was already resolved at {current.resolved_at}")
            store.execute("UPDATE tier3.alerts SET status = 'resolved', resolved_at = ?, resolved_by = ? WHERE id = ?",
                          (store.timestamp(), resolved_by, alert_id))
            return self.get_alert(alert_id)

    def get_alert(self, alert_id: str) -> Alert:
        a.require_pack(self._store)
        c.text("alert_id", alert_id, max_len=64)
        rows = c.run(self._store, f"SELECT {_ALERT} FROM tier3.alerts WHERE id = ?", (alert_id,))
        if not rows:
            raise NotFoundError(f"no alert {alert_id!r}; list them with db.agency.alerts()")
        return _alert(rows[0])

    def alerts(self, *, status: str | None = None, limit: int = 100) -> builtins.list[Alert]:
        """Alerts, newest first (``idx_alerts_status_created`` when a status is given)."""
        store = self._store
        a.require_pack(store)
        c.limit(limit)
        if status is None:
            rows = c.run(store, f"SELECT {_ALERT} FROM tier3.alerts ORDER BY created_at DESC, rowid DESC LIMIT ?", (limit,))
        else:
            c.choice("status", status, ALERT_STATUSES)
            rows = c.run(store, f"SELECT {_ALERT} FROM tier3.alerts WHERE status = ? ORDER BY created_at DESC, rowid DESC "
                                "LIMIT ?", (status, limit))
        return [_alert(r) for r in rows]

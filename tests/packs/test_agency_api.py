"""db.agency: seed 002's DatabaseClient methods and the ones around them, on real files."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest

import cortexdb
from cortexdb.packs.agency import Alert, CawsViolation, CouncilVerdict, SloMeasurement, SystemMetric, Waiver

DAY = 86400


def waiver_args(**changes: object) -> dict[str, object]:
    args: dict[str, object] = dict(title="Skip mutation gate", reason="flaky infra", description="mutation runner is down",
                                   gates=["mutation", "coverage"], approved_by="lead@example.com",
                                   mitigation_plan="rerun when fixed", expires_at="2026-01-08 00:00:00")
    args.update(changes)
    return args


def counts(db: cortexdb.Store) -> dict[str, int]:
    tables = ("waivers", "council_verdicts", "caws_violations", "provenance_records", "git_commits", "system_metrics",
              "slo_measurements", "alerts", "tasks")
    return {t: db.query(f"SELECT count(*) AS n FROM {t}")[0]["n"] for t in tables}


def test_task_methods_by_seed_name(agency_db: cortexdb.Store) -> None:
    agency = agency_db.agency
    task = agency.create_task("Refactor auth", task_id="AUTH-1", risk_tier=1, metadata={"area": "auth"})
    assert agency.get_task("AUTH-1") == task == agency.get_task(task.id)
    running = agency.update_task_status(task.id, "running")
    assert running.status == "running" and running.started_at
    assert [t.task_id for t in agency.tasks(status="running")] == ["AUTH-1"]
    with pytest.raises(cortexdb.NotFoundError):
        agency.get_task("nope")
    with pytest.raises(cortexdb.ValidationError, match="status"):
        agency.update_task_status("AUTH-1", "archived")


def test_waivers_honour_expiry_on_the_clock(agency_db: cortexdb.Store, clock: cortexdb.ManualClock) -> None:
    agency = agency_db.agency
    soon = agency.create_waiver(**waiver_args(expires_at=datetime(2026, 1, 1, 1, 0, tzinfo=UTC)))
    later = agency.create_waiver(**waiver_args(gates=["coverage"], impact_level="high",
                                               expires_at=datetime(2026, 1, 2, 2, 0, tzinfo=timezone(timedelta(hours=2)))))
    assert isinstance(soon, Waiver) and soon.gates == ["mutation", "coverage"] and later.expires_at == "2026-01-02 00:00:00.000"
    assert [w.id for w in agency.list_active_waivers()] == [soon.id, later.id]
    assert [w.id for w in agency.list_active_waivers(gate="mutation")] == [soon.id]
    assert agency.use_waiver(soon.id, "mutation") == soon
    with pytest.raises(cortexdb.WaiverError, match="covers"):
        agency.use_waiver(later.id, "mutation")
    clock.advance(3600)  # soon's expiry: never active from here on, whatever its stored status
    assert [w.id for w in agency.list_active_waivers()] == [later.id]
    with pytest.raises(cortexdb.WaiverError, match="expired"):
        agency.use_waiver(soon.id, "mutation")
    assert agency.get_waiver(soon.id).status == "active"
    assert agency.expire_waivers() == 1
    assert agency.get_waiver(soon.id).status == "expired"
    revoked = agency.revoke_waiver(later.id)
    assert revoked.status == "revoked" and agency.list_active_waivers() == []
    with pytest.raises(cortexdb.WaiverError, match="revoked"):
        agency.use_waiver(later.id, "coverage")
    with pytest.raises(cortexdb.WaiverError, match="already"):
        agency.revoke_waiver(later.id)
    assert [w.status for w in agency.waivers(status="expired")] == ["expired"]


@pytest.mark.parametrize(("changes", "error"), [
    ({"expires_at": "2025-12-31 23:59:59"}, cortexdb.WaiverError),
    ({"expires_at": datetime(2030, 1, 1)}, cortexdb.ValidationError),  # naive datetime
    ({"expires_at": "next week"}, cortexdb.ValidationError),
    ({"approved_by": ""}, cortexdb.WaiverError),
    ({"approved_by": None}, cortexdb.WaiverError),
    ({"gates": []}, cortexdb.ValidationError),
    ({"gates": "coverage"}, cortexdb.ValidationError),
    ({"impact_level": "huge"}, cortexdb.ValidationError),
    ({"title": "x" * 256}, cortexdb.ValidationError),
])
def test_bad_waivers_are_refused_and_nothing_written(agency_db: cortexdb.Store, changes: dict[str, object],
                                                     error: type[Exception]) -> None:
    before = counts(agency_db)
    with pytest.raises(error):
        agency_db.agency.create_waiver(**waiver_args(**changes))
    assert counts(agency_db) == before


def test_verdicts_and_consensus(agency_db: cortexdb.Store) -> None:
    agency = agency_db.agency
    task = agency.create_task("Ship", task_id="SHIP-1")
    assert agency.consensus("SHIP-1").verdict is None
    v1 = agency.record_verdict("SHIP-1", "security", "approve", confidence_score=0.9, reasoning="ok",
                               evidence={"scans": 3})
    agency.record_verdict(task.id, "quality", "approve", confidence_score=0.6)
    agency.record_verdict("SHIP-1", "ethics", "reject", confidence_score=0.5)
    assert isinstance(v1, CouncilVerdict) and v1.task_id == task.id and v1.evidence == {"scans": 3}
    consensus = agency.consensus("SHIP-1")
    assert (consensus.verdict, consensus.consensus_score, consensus.judges) == ("approve", 0.75, 3)
    assert [v.judge_type for v in agency.verdicts("SHIP-1")] == ["security", "quality", "ethics"]
    assert [v.verdict for v in agency.verdicts(judge_type="ethics")] == ["reject"]
    before = counts(agency_db)
    for bad in (1.01, -0.1, float("nan"), "0.5", True):
        with pytest.raises(cortexdb.ValidationError, match="confidence_score"):
            agency.record_verdict("SHIP-1", "security", "approve", confidence_score=bad)  # type: ignore[arg-type]
    with pytest.raises(cortexdb.NotFoundError):
        agency.record_verdict("missing", "security", "approve")
    assert counts(agency_db) == before


def test_violations_record_and_resolve(agency_db: cortexdb.Store, clock: cortexdb.ManualClock) -> None:
    agency = agency_db.agency
    agency.create_task("Ship", task_id="T")
    found = agency.record_violation("T", "budget.max_files", "high", description="42 files changed",
                                    violation_data={"files": 42})
    assert isinstance(found, CawsViolation) and not found.resolved
    assert [v.id for v in agency.violations("T", resolved=False)] == [found.id]
    clock.advance(60)
    fixed = agency.resolve_violation(found.id, resolved_by="bot")
    assert fixed.resolved and fixed.resolved_by == "bot" and fixed.resolved_at == "2026-01-01 00:01:00.000"
    assert agency.violations("T", resolved=False) == [] and len(agency.violations(resolved=True)) == 1
    with pytest.raises(cortexdb.ValidationError, match="already resolved"):
        agency.resolve_violation(found.id)
    with pytest.raises(cortexdb.ValidationError, match="severity"):
        agency.record_violation("T", "r", "catastrophic")
    with pytest.raises(cortexdb.NotFoundError):
        agency.resolve_violation("nope")


def test_metrics_slo_and_compliance_window(agency_db: cortexdb.Store, clock: cortexdb.ManualClock) -> None:
    agency = agency_db.agency
    metric = agency.record_metric("queue_depth", 3.1234567, labels={"queue": "main"})
    assert isinstance(metric, SystemMetric) and metric.metric_value == 3.123457
    with pytest.raises(cortexdb.ValidationError, match="metric_value"):
        agency.record_metric("queue_depth", 1e9)
    old = agency.record_slo("latency_p95", target_value=200, actual_value=400, lower_is_better=True,
                            measurement_period=timedelta(hours=1))
    assert isinstance(old, SloMeasurement) and (old.compliance_percentage, old.measurement_period) == (50.0, 3600.0)
    clock.advance(25 * 3600)
    agency.record_slo("latency_p95", target_value=200, actual_value=180, lower_is_better=True, measurement_period=3600)
    agency.record_slo("availability", target_value=99.9, actual_value=98.901)
    assert agency.slo_compliance() == [
        {"slo_name": "availability", "avg_compliance": 99.0, "min_compliance": 99.0},
        {"slo_name": "latency_p95", "avg_compliance": 100.0, "min_compliance": 100.0}]
    assert len(agency.slo_compliance(hours=48)) == 2
    assert agency.slo_compliance(hours=48)[1]["min_compliance"] == 50.0
    with pytest.raises(cortexdb.ValidationError, match="measurement_period"):
        agency.record_slo("x", target_value=1, actual_value=1, measurement_period=-5)


def test_alert_lifecycle(agency_db: cortexdb.Store) -> None:
    agency = agency_db.agency
    alert = agency.raise_alert("slo_breach", "critical", "p95 latency over target", source="slo", subject="latency_p95",
                               metadata={"value": 400})
    assert isinstance(alert, Alert) and alert.status == "active"
    acked = agency.acknowledge_alert(alert.id, "oncall")
    assert (acked.status, acked.acknowledged_by) == ("acknowledged", "oncall")
    with pytest.raises(cortexdb.ValidationError, match="only an active alert"):
        agency.acknowledge_alert(alert.id, "oncall")
    done = agency.resolve_alert(alert.id, resolved_by="oncall")
    assert done.status == "resolved" and done.resolved_at
    with pytest.raises(cortexdb.ValidationError, match="already resolved"):
        agency.resolve_alert(alert.id)
    second = agency.raise_alert("deployment_rollback", "high", "canary rolled back", source="deployment", subject="model-7")
    assert agency.resolve_alert(second.id).status == "resolved"  # active -> resolved directly
    assert [a.id for a in agency.alerts(status="resolved")] == [second.id, alert.id]
    with pytest.raises(cortexdb.ValidationError, match="severity"):
        agency.raise_alert("x", "urgent", "t")


def test_results_are_frozen(agency_db: cortexdb.Store) -> None:
    metric = agency_db.agency.record_metric("m", 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        metric.metric_value = 2  # type: ignore[misc]


def test_readonly_store_refuses_writes(agency_db: cortexdb.Store) -> None:
    agency_db.agency.record_metric("m", 1)
    home = agency_db.home
    agency_db.close()
    with cortexdb.open(home, readonly=True) as ro:
        assert len(ro.agency.metrics()) == 1
        with pytest.raises(cortexdb.ReadOnlyError):
            ro.agency.record_metric("m", 2)

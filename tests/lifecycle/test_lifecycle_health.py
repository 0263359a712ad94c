"""Maintenance runs and the health review (scores, issues, auto-fix)."""

from __future__ import annotations

import json

import pytest
from lifecycle_helpers import populate

from cortexdb.clock import to_timestamp
from cortexdb.errors import ValidationError
from cortexdb.lifecycle import health as health_mod
from cortexdb.lifecycle.groups import get_group

DAY = 86400


@pytest.mark.parametrize("level", ["tier1", "tier2", "tier3"])
def test_maintenance_levels_record_a_run(db, level):
    populate(db, 30, 5)
    with db.transaction():
        db.execute("DELETE FROM tier1.messages WHERE id % 2 = 0")
    result = db.maintenance.run(tier=level)
    assert result.status == "success" and result.speedup and result.size_after_mb is not None
    row = db.maintenance.runs()[0]
    assert row["status"] == "success" and row["tier"] == level and json.loads(row["operations"]) == result.operations
    assert row["query_time_before_ms"] > 0 and row["completed_at"]
    if level == "tier3":
        assert "vacuum" in result.operations and result.fragmentation_after <= result.fragmentation_before


def test_maintenance_fts_and_validation(db):
    with db.transaction():
        db.execute("CREATE VIRTUAL TABLE tier2.notes_fts USING fts5(body)")
        db.execute("INSERT INTO tier2.notes_fts (body) VALUES ('hello world')")
    assert db.maintenance.run(tier="tier2").status == "success"
    with pytest.raises(ValidationError):
        db.maintenance.run(tier="tier9")


def test_clean_store_is_excellent(db):
    report = db.health.review()
    assert report.overall_status == "excellent", report.issues
    assert report.database_score == 1.0 and report.checks_run == report.checks_registered
    stored = db.health.reports()[0]
    assert stored["id"] == report.id and stored["overall_status"] == "excellent"
    assert 0 < stored["test_coverage_score"] <= 1


def test_review_finds_and_fixes(db, clock):
    ids = populate(db, 25, 2, status="done")
    # an interrupted archival operation
    archive = db.archive
    op = archive._plan(get_group("conversations"), ids[:2], "archive")
    archive._copy(get_group("conversations"), "archive", op)
    # a stuck maintenance run and stale workspace discovery
    old = to_timestamp(clock() - 2 * DAY)
    with db.transaction():
        db.execute("INSERT INTO tier3.maintenance_runs (started_at, tier, operations, status) VALUES (?, 'tier1', '[]', 'running')",
                   (old,))
        db.execute("INSERT INTO tier2.workspace_apis (api_type, base_url, discovered_at) VALUES ('rest', 'http://x', ?)",
                   (clock() - 60 * DAY,))
    report = db.health.review()
    titles = [i["title"] for i in report.issues]
    assert any("interrupted" in t for t in titles)
    assert any("stuck" in t for t in titles)
    assert any("not verified" in t for t in titles)
    assert any("cap 20" in t for t in titles)
    assert report.fixed_count == 0 and report.auto_fixable_count >= 3 and report.overall_score < 1
    fixed = db.health.review(auto_fix=True)
    assert fixed.fixed_count >= 3
    assert all(i["fix_applied"] for i in fixed.issues if i["auto_fixable"])
    assert db.archive.interrupted() == []
    stored = db.health.issues(fixed.id)
    assert any(i["fix_applied"] == 1 and i["fix_description"] for i in stored)
    after = db.health.review()
    assert not any("interrupted" in i["title"] or "cap 20" in i["title"] for i in after.issues)
    assert after.overall_score > report.overall_score


def test_critical_issue_makes_status_critical(db):
    @health_mod.register_check("always_critical_for_test", "database")
    def boom(store):
        return [health_mod.Issue("database", "critical", "synthetic")]
    try:
        assert db.health.review().overall_status == "critical"
    finally:
        health_mod.CHECKS.pop("always_critical_for_test")

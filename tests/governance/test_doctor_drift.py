"""``cortexdb doctor``: drift, regressions, history and the two-path check; exit codes 0/1/2/3."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import cortexdb
from cortexdb import ManualClock, migrations
from cortexdb.cli import main
from cortexdb.governance import doctor


@pytest.fixture()
def db(tmp_path: Path):
    store = cortexdb.open(tmp_path / "s", clock=ManualClock())
    yield store
    store.close()


def test_fresh_store_has_no_drift_and_each_run_is_recorded(db: cortexdb.Store) -> None:
    first = doctor.check(db)
    assert first.exit_code == 0 and first.status == "ok" and not first.differences and not first.pending
    from cortexdb import migrations

    expected = {m.module: m.version for m in migrations.plan(migrations.schema_roots(), "tier0", migrations.BASE_MODULES)}
    assert first.versions["tier0"] == expected
    doctor.check(db)
    runs = doctor.trend(db)
    assert [r["exit_code"] for r in runs] == [0, 0] and runs[0]["id"] > runs[1]["id"]


def test_drift_lists_every_difference(db: cortexdb.Store) -> None:
    db.execute("CREATE TABLE tier1.rogue (a)")
    db.execute("DROP INDEX tier0.idx_plugins_category")
    db.execute("DROP TRIGGER tier2.audit_provenance_links_upd")
    db.execute("CREATE TRIGGER tier2.audit_provenance_links_upd AFTER UPDATE ON provenance_links BEGIN SELECT 1; END")
    report = doctor.check(db)
    assert report.exit_code == 1 and report.status == "drift"
    found = {(d.tier, d.kind, d.type, d.name) for d in report.differences}
    assert found == {("tier1", "extra", "table", "rogue"), ("tier0", "missing", "index", "idx_plugins_category"),
                     ("tier2", "changed", "trigger", "audit_provenance_links_upd")}
    assert doctor.trend(db)[0]["details"]["differences"]


@pytest.mark.parametrize("tamper, kind", [
    ("INSERT INTO tier2.cortexdb_migrations VALUES ('governance', 99, 'future', 'x', '2030-01-01', 0)",
     "newer_than_package"),
    ("INSERT INTO tier2.cortexdb_migrations VALUES ('futurepack', 1, 'future', 'x', '2030-01-01', 0)",
     "newer_than_package"),
    ("UPDATE tier1.cortexdb_migrations SET checksum = 'deadbeef' WHERE module = 'cortex' AND version = 2",
     "checksum_changed"),
])
def test_regressions_exit_3(db: cortexdb.Store, tamper: str, kind: str) -> None:
    db.execute(tamper)
    report = doctor.check(db)
    assert report.exit_code == 3 and report.status == "regression"
    assert [r.kind for r in report.regressions] == [kind]


def test_version_going_backwards_is_a_regression(db: cortexdb.Store) -> None:
    assert doctor.check(db).exit_code == 0
    db.migrations.rollback("governance", "tier3")
    report = doctor.check(db)
    assert report.exit_code == 3
    assert any(r.kind == "version_backwards" and r.tier == "tier3" for r in report.regressions)
    assert "tier3: governance 0002_audit_archival_operations_columns" in report.pending


def test_error_is_exit_2_and_recorded(db: cortexdb.Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object) -> None:
        raise OSError("temporary directory unavailable")

    monkeypatch.setattr(doctor, "expected_schema", broken)
    report = doctor.check(db)
    assert report.exit_code == 2 and "temporary directory unavailable" in report.error
    assert doctor.trend(db)[0]["status"] == "error"


def test_two_path_check_passes_for_the_package_and_catches_a_bad_snapshot(tmp_path: Path) -> None:
    report = doctor.two_path()
    assert report.ok and report.exit_code == 0 and len(report.tiers) == 4
    root = tmp_path / "schema"
    shutil.copytree(migrations.schema_roots()[0], root)
    snap = root / "snapshot" / "tier2.sql"
    snap.write_text(snap.read_text() + "\nCREATE TABLE snapshot_only (a);\n")
    bad = doctor.two_path((root,))
    assert not bad.ok and bad.exit_code == 1
    (tier2,) = [t for t in bad.tiers if t.tier == "tier2"]
    assert any("snapshot_only" in p and "path B" in p for p in tier2.problems)
    assert all(t.ok for t in bad.tiers if t.tier != "tier2")


def test_cli_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    home = tmp_path / "s"
    assert runner.invoke(main, ["--home", str(home), "doctor"]).exit_code == 2     # no store yet
    cortexdb.open(home).close()
    ok = runner.invoke(main, ["--home", str(home), "doctor"])
    assert ok.exit_code == 0, ok.output
    with cortexdb.open(home) as db:
        db.execute("CREATE TABLE tier3.rogue (a)")
    drift = runner.invoke(main, ["--home", str(home), "doctor", "--table"])
    assert drift.exit_code == 1 and "DRIFT tier3 extra table rogue" in drift.output
    with cortexdb.open(home) as db:
        db.execute("UPDATE tier0.cortexdb_migrations SET checksum = 'x' WHERE module = 'core'")
    assert runner.invoke(main, ["--home", str(home), "doctor"]).exit_code == 3
    trend = runner.invoke(main, ["--home", str(home), "--json", "doctor", "--trend"])
    assert trend.exit_code == 0 and trend.output.count('"exit_code"') == 3
    assert runner.invoke(main, ["--home", str(home), "doctor", "--two-path"]).exit_code == 0

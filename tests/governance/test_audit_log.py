"""The audit log: triggers match their generator, shell writes are audited, immutability, switchboard."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import apsw
import orjson
import pytest
from click.testing import CliRunner

import cortexdb
from cortexdb import IntegrityError, ManualClock, NotFoundError, ValidationError
from cortexdb.cli import main
from cortexdb.governance.triggers import AUDITED, AuditSpec, columns_of, immutable_sql, trigger_name, trigger_sql

SQLITE3 = shutil.which("sqlite3")


@pytest.fixture()
def db(tmp_path: Path):
    store = cortexdb.open(tmp_path / "s", clock=ManualClock())
    yield store
    store.close()


def norm(sql: str) -> str:
    return " ".join(sql.replace("IF NOT EXISTS ", "").rstrip(";").split())


def test_installed_triggers_are_exactly_what_the_generator_makes(db: cortexdb.Store) -> None:
    """A column added to an audited table without regenerating its triggers fails here."""
    for spec in AUDITED:
        expected = trigger_sql(spec, columns_of(db.conn, spec.tier, spec.table))
        for operation, sql in zip(spec.operations, expected, strict=True):
            live = db.execute(f"SELECT sql FROM {spec.tier}.sqlite_master WHERE type = 'trigger' AND name = ?",
                              (trigger_name(spec.table, operation),))
            assert live and norm(live[0][0]) == norm(sql), (spec.tier, spec.table, operation)
    listed = {(t.tier, t.table) for t in db.audit.tables()}
    assert listed == {(s.tier, s.table) for s in AUDITED}


def test_immutable_helper_matches_governance_decisions(db: cortexdb.Store) -> None:
    expected = immutable_sql("governance_decisions", "record a new decision with supersedes set to this decision_id")
    for sql, op in zip(expected, ("update", "delete"), strict=True):
        live = db.execute("SELECT sql FROM tier0.sqlite_master WHERE name = ?", (f"governance_decisions_no_{op}",))
        assert norm(live[0][0]) == norm(sql)


def test_generator_handles_update_of_and_blobs() -> None:
    spec = AuditSpec("tier1", "tasks", "{row}.task_id", ("UPDATE",), ("status",))
    (sql,) = trigger_sql(spec, [("task_id", "TEXT"), ("status", "TEXT"), ("payload", "BLOB")])
    assert "AFTER UPDATE OF status ON tasks" in sql and "hex(NEW.payload)" in sql and "NEW.task_id" in sql
    with pytest.raises(ValueError):
        trigger_sql(AuditSpec("tier1", "tasks; DROP", "{row}.id"), [("id", "")])


def test_every_audited_write_leaves_a_row_in_the_same_tier(db: cortexdb.Store) -> None:
    with db.transaction():
        db.execute("INSERT INTO tier2.provenance_links (source_type, source_ref, target_type, target_ref, relation) "
                   "VALUES ('file', 'a.py', 'entity', 'A', 'generated')")
        db.execute("UPDATE tier2.provenance_links SET confidence = 0.5")
        db.execute("DELETE FROM tier2.provenance_links")
    rows = db.audit.log(tier="tier2", table="provenance_links")
    assert [r.operation for r in rows] == ["INSERT", "UPDATE", "DELETE"]
    assert rows[1].old_values["confidence"] is None and rows[1].new_values["confidence"] == 0.5
    assert rows[2].new_values is None and rows[2].old_values["source_ref"] == "a.py"
    assert all(r.row_key == "1" and r.position is None for r in rows)
    # a rolled-back write leaves no audit row: same transaction
    with pytest.raises(RuntimeError):
        with db.transaction():
            db.execute("INSERT INTO tier2.provenance_links (source_type, source_ref, target_type, target_ref, "
                       "relation) VALUES ('file', 'b', 'entity', 'B', 'generated')")
            raise RuntimeError("abort")
    assert len(db.audit.log(tier="tier2", table="provenance_links")) == 3
    sealed = db.audit.seal()
    assert sealed["tier2"] == 3  # the migration ledger rows were sealed when the store was opened
    assert all(r.position for r in db.audit.log(tier="tier2"))


@pytest.mark.skipif(SQLITE3 is None, reason="sqlite3 shell not installed")
def test_writes_from_the_sqlite3_shell_are_audited_and_sealed_at_the_next_open(tmp_path: Path) -> None:
    home = tmp_path / "s"
    with cortexdb.open(home) as db:
        db.plugins.register("p", "P", "1", "c", 0, ["h"], [], lambda h, c: None)
    script = ("UPDATE plugins SET enabled = 0 WHERE plugin_id = 'p';\n"
              "INSERT INTO governance_settings (key, value, updated_at) VALUES ('shell', '1', 'now');\n")
    done = subprocess.run([SQLITE3, str(home / "tier0.db")], input=script, text=True, capture_output=True)
    assert done.returncode == 0, done.stderr
    tamper = subprocess.run([SQLITE3, str(home / "tier0.db")], input="DELETE FROM audit_log_tier0;\n", text=True,
                            capture_output=True)
    assert "append-only" in tamper.stderr
    with cortexdb.open(home, readonly=True) as db:  # a reader sees them outside the chain and cannot seal
        report = db.audit.verify()
        assert report.ok and report.tiers[0].unsealed == 2 and report.tiers[0].sealed == 0
    with cortexdb.open(home) as db:
        assert db.audit.sealed_at_open == {"tier0": 2}
        rows = db.audit.log(tier="tier0", newest_first=True, limit=3)[::-1]
        assert [(e.table_name, e.operation) for e in rows] == [
            ("plugins", "UPDATE"), ("governance_settings", "INSERT"), ("audit_log_tier0", "EVENT")]
        assert rows[0].old_values["enabled"] == 1 and rows[0].new_values["enabled"] == 0
        assert rows[2].row_key == "sealed_at_open" and rows[2].new_values["rows"] == 2
        assert all(e.position for e in rows)
        report = db.audit.verify()
        assert report.ok and report.tiers[0].unsealed == 0


def test_sealed_rows_and_immutable_tables_refuse_changes(db: cortexdb.Store) -> None:
    decision = db.audit.record_decision("retention", "tier1.messages", "approved", decided_by="owner",
                                        risk_level="medium", rationale="keep 90 days", metadata={"days": 90})
    for sql in ("UPDATE tier0.governance_decisions SET decision = 'rejected'",
                "DELETE FROM tier0.governance_decisions"):
        with pytest.raises(IntegrityError, match="immutable: record a new decision"):
            db.execute(sql)
    for sql in ("UPDATE tier0.audit_log_tier0 SET table_name = 'x'", "DELETE FROM tier0.audit_log_tier0",
                "UPDATE tier0.audit_log_tier0 SET hash = NULL, position = NULL"):
        with pytest.raises(IntegrityError, match="append-only"):
            db.execute(sql)
    with pytest.raises(IntegrityError, match="unsealed"):
        db.execute("INSERT INTO tier1.audit_log_tier1 (table_name, operation, hash, position) "
                   "VALUES ('x', 'EVENT', 'ff', 99)")
    from cortexdb.governance import doctor

    db.audit.verify()
    doctor.check(db)
    for table in ("audit_seals", "chain_verification", "drift_history"):
        with pytest.raises(IntegrityError, match="immutable"):
            db.execute(f"DELETE FROM tier0.{table}")
    newer = db.audit.record_decision("retention", "tier1.messages", "revoked", decided_by="owner",
                                     supersedes=decision.decision_id)
    assert [d.decision_id for d in db.audit.decisions(subject="tier1.messages")] == [newer.decision_id,
                                                                                   decision.decision_id]
    assert db.audit.decisions()[1].metadata == {"days": 90}
    with pytest.raises(NotFoundError):
        db.audit.record_decision("x", "y", "approved", decided_by="me", supersedes="nope")
    with pytest.raises(ValidationError):
        db.audit.record_decision("x", "y", "maybe", decided_by="me")


def test_switchboard_turns_auditing_off_and_on_and_is_itself_audited(db: cortexdb.Store) -> None:
    insert = ("INSERT INTO tier3.boundary_events (event_type, path, allowed) VALUES ('read', '/x', 0)")
    db.audit.configure("boundary_events", enabled=False)
    db.execute(insert)
    assert db.audit.log(tier="tier3", table="boundary_events") == []
    db.audit.configure("boundary_events", enabled=True)
    db.execute(insert)
    assert len(db.audit.log(tier="tier3", table="boundary_events")) == 1
    switches = db.audit.log(tier="tier3", table="audited_tables_tier3")
    assert [s.new_values["enabled"] for s in switches] == [0, 1]
    assert not [t for t in db.audit.tables() if not t.enabled]
    with pytest.raises(NotFoundError):
        db.audit.configure("messages", enabled=False)
    with pytest.raises(ValidationError):
        db.audit.configure("audited_tables_tier0", enabled=False)


def test_record_actor_and_tail(db: cortexdb.Store) -> None:
    db.audit.record("tier1", "tasks", operation="UPDATE", row_key="T-1", old={"status": "pending"},
                    new={"status": "done"}, actor="agent-7")
    with db.audit.actor("agent-9"):
        db.execute("INSERT INTO tier2.provenance_links (source_type, source_ref, target_type, target_ref, relation) "
                   "VALUES ('file', 'a', 'entity', 'A', 'generated')")
    db.execute("INSERT INTO tier2.provenance_links (source_type, source_ref, target_type, target_ref, relation) "
               "VALUES ('file', 'b', 'entity', 'B', 'generated')")
    tail = db.audit.tail(3)
    assert [(e.table_name, e.actor) for e in tail] == [("tasks", "agent-7"), ("provenance_links", "agent-9"),
                                                       ("provenance_links", None)]
    db.audit.seal()
    with pytest.raises(IntegrityError):
        db.execute("UPDATE tier2.audit_log_tier2 SET actor = 'someone-else' WHERE actor = 'agent-9'")
    with pytest.raises(ValidationError):
        db.audit.record("tier9", "x")
    with pytest.raises(ValidationError):
        db.audit.record("tier1", "x", operation="TRUNCATE")


def test_cli_verify_exit_code_and_log(tmp_path: Path) -> None:
    home = tmp_path / "s"
    with cortexdb.open(home) as db:
        db.audit.record("tier1", "tasks", row_key="T-1", new={"status": "done"})
    runner = CliRunner()
    ok = runner.invoke(main, ["--home", str(home), "audit", "verify"])
    assert ok.exit_code == 0, ok.output
    log = runner.invoke(main, ["--home", str(home), "--json", "audit", "log", "--tier", "tier1", "--table", "tasks"])
    assert log.exit_code == 0 and '"row_key":"T-1"' in log.output
    assert runner.invoke(main, ["--home", str(home), "audit", "tail", "-n", "2"]).exit_code == 0
    conn = apsw.Connection(str(home / "tier1.db"))
    conn.execute("DROP TRIGGER audit_log_tier1_no_update")
    conn.execute("UPDATE audit_log_tier1 SET row_key = 'T-2' WHERE row_key = 'T-1'")
    conn.close()
    broken = runner.invoke(main, ["--home", str(home), "audit", "verify"])
    assert broken.exit_code == 1 and "changed" in broken.output


def test_cli_verify_prints_the_rows_found_unsealed(tmp_path: Path) -> None:
    home = tmp_path / "s"
    cortexdb.open(home).close()
    conn = apsw.Connection(str(home / "tier2.db"))  # another program's writes, audited by the triggers
    conn.execute("INSERT INTO provenance_links (source_type, source_ref, target_type, target_ref, relation) "
                 "VALUES ('file', 'a', 'file', 'b', 'updated'), ('file', 'c', 'file', 'd', 'updated')")
    conn.close()
    runner = CliRunner()
    found = runner.invoke(main, ["--home", str(home), "--json", "audit", "verify"])
    assert found.exit_code == 0, found.output
    (tier2,) = [t for t in orjson.loads(found.output)["tiers"] if t["tier"] == "tier2"]
    assert tier2["sealed_at_open"] == 2 and tier2["unsealed"] == 0
    table = runner.invoke(main, ["--home", str(home), "audit", "verify"], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "unsealed" in table.output and "sealed_at_open" in table.output

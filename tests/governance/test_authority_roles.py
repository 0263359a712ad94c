"""Declared authority (seed 003): recorded roles, prod confirmation, read-only replicas."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import cortexdb
from cortexdb import AuthorityError, ManualClock, MigrationError, ReadOnlyError
from cortexdb.governance import authority


def extra_root(tmp_path: Path) -> Path:
    """A schema root adding governance migration 0099 to tier1: what a package upgrade looks like."""
    root = tmp_path / "extra_schema"
    (root / "governance" / "tier1").mkdir(parents=True)
    (root / "governance" / "tier1" / "0099_upgrade_probe.sql").write_text(
        "CREATE TABLE IF NOT EXISTS upgrade_probe (id INTEGER PRIMARY KEY);\n-- down\nDROP TABLE upgrade_probe;\n")
    return root


def test_new_store_records_staging_by_default(tmp_path: Path) -> None:
    with cortexdb.open(tmp_path / "s", clock=ManualClock()) as db:
        assert db.role == "staging" and db.identity()["declared_role"] == "staging"


def test_role_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORTEXDB_ROLE", "prod")
    with cortexdb.open(tmp_path / "s") as db:
        assert db.role == "prod" and db.identity()["declared_role"] == "prod"
    monkeypatch.delenv("CORTEXDB_ROLE")
    with pytest.raises(AuthorityError, match="declare the role explicitly"):
        cortexdb.open(tmp_path / "s")


def test_prod_must_be_declared_and_contradictions_name_both(tmp_path: Path) -> None:
    cortexdb.open(tmp_path / "p", role="prod").close()
    with pytest.raises(AuthorityError, match="'prod' store: declare"):
        cortexdb.open(tmp_path / "p")
    with pytest.raises(AuthorityError) as info:
        cortexdb.open(tmp_path / "p", role="staging")
    assert "'prod'" in str(info.value) and "'staging'" in str(info.value)
    cortexdb.open(tmp_path / "p", role="prod").close()
    cortexdb.open(tmp_path / "s").close()
    with pytest.raises(AuthorityError, match="recorded as a 'staging' store but was opened with role 'prod'"):
        cortexdb.open(tmp_path / "s", role="prod")
    with pytest.raises(cortexdb.ValidationError):
        cortexdb.open(tmp_path / "s", role="admin")


def test_prod_pending_migrations_need_confirmation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "p"
    cortexdb.open(home, role="prod").close()
    monkeypatch.setenv("CORTEXDB_SCHEMA_PATH", str(extra_root(tmp_path)))
    with pytest.raises(AuthorityError) as info:
        cortexdb.open(home, role="prod")
    assert "0099_upgrade_probe" in str(info.value) and "CORTEXDB_CONFIRM_PROD_MIGRATIONS" in str(info.value)
    with pytest.raises(MigrationError, match="read-only"):          # read-only never migrates either
        cortexdb.open(home, role="prod", readonly=True)
    with cortexdb.open(home, role="prod", migrate=False) as db:   # inspecting is fine
        assert [m.name for m in db.migrations.pending()] == ["upgrade_probe"]
        with pytest.raises(AuthorityError):
            db.migrations.up()
    monkeypatch.setenv("CORTEXDB_CONFIRM_PROD_MIGRATIONS", "true")
    with cortexdb.open(home, role="prod") as db:
        assert db.query("SELECT name FROM tier1.sqlite_master WHERE name = 'upgrade_probe'")
        migrated = [e for e in db.audit.log(tier="tier1", table="cortexdb_migrations") if e.row_key == "governance:2"]
        assert migrated, "the migration itself is audited"


def test_prod_confirmed_by_the_runbook_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "p"
    cortexdb.open(home, role="prod").close()
    monkeypatch.setenv("CORTEXDB_SCHEMA_PATH", str(extra_root(tmp_path)))
    monkeypatch.setenv("CONFIRM_PROD_MIGRATIONS", "false")
    with pytest.raises(AuthorityError):
        cortexdb.open(home, role="prod")
    monkeypatch.setenv("CONFIRM_PROD_MIGRATIONS", "true")
    with cortexdb.open(home, role="prod") as db:
        assert db.query("SELECT name FROM tier1.sqlite_master WHERE name = 'upgrade_probe'")


def test_prod_confirm_argument(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "p"
    cortexdb.open(home, role="prod").close()
    monkeypatch.setenv("CORTEXDB_SCHEMA_PATH", str(extra_root(tmp_path)))
    cortexdb.open(home, role="prod", confirm_migrations=True).close()
    cortexdb.open(home, role="prod").close()  # nothing pending any more


def test_staging_migrates_without_confirmation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "s"
    cortexdb.open(home).close()
    monkeypatch.setenv("CORTEXDB_SCHEMA_PATH", str(extra_root(tmp_path)))
    with cortexdb.open(home) as db:
        assert not db.migrations.pending()


def test_set_role_is_audited_and_then_required(tmp_path: Path) -> None:
    with cortexdb.open(tmp_path / "s") as db:
        authority.set_role(db, "prod")
        changes = db.audit.log(tier="tier0", table="store_identity", operation="UPDATE")
        assert any(c.old_values["declared_role"] == "staging" and c.new_values["declared_role"] == "prod" for c in changes)
    with pytest.raises(AuthorityError):
        cortexdb.open(tmp_path / "s")


def test_replica_needs_an_existing_store(tmp_path: Path) -> None:
    with pytest.raises(AuthorityError, match="make-replica"):
        cortexdb.open(tmp_path / "nothing", role="replica")
    assert not (tmp_path / "nothing").exists()


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture()
def replica(tmp_path: Path) -> Path:
    with cortexdb.open(tmp_path / "primary") as db:
        db.boundary.set_root(tmp_path)
        db.boundary.add_rule("deny", "**/.env")
        db.plugins.register("p1", "P1", "1", "test", 0, ["h"], [], lambda h, c: None)
        db.audit.record_decision("policy", "replicas", "approved", decided_by="test")
        authority.create_replica(db, tmp_path / "replica")
    return tmp_path / "replica"


def test_replica_refuses_every_write_and_keeps_its_bytes(replica: Path) -> None:
    before = digest(replica)
    with cortexdb.open(replica) as db:
        assert db.role == "replica" and db.readonly
        rule_id = db.boundary.rules()[0].rule_id
        writes = [
            lambda: db.transaction().__enter__(),
            lambda: db.execute("INSERT INTO tier0.governance_settings (key, value, updated_at) VALUES ('x', '1', 'now')"),
            lambda: db.migrations.up(),
            lambda: db.migrations.rollback("governance"),
            lambda: db.audit.seal(),
            lambda: db.audit.record("tier1", "tasks", row_key="t1"),
            lambda: db.audit.configure("plugins", enabled=False),
            lambda: db.audit.record_decision("policy", "x", "approved", decided_by="me"),
            lambda: db.boundary.set_root(replica),
            lambda: db.boundary.add_rule("allow", "**"),
            lambda: db.boundary.remove_rule(rule_id),
            lambda: db.boundary.log_allows(True),
            lambda: db.boundary.purge_events(older_than_days=0),
            lambda: db.plugins.register("p2", "P2", "1", "test", 0, ["h"], [], lambda h, c: None),
            lambda: db.plugins.enable("p1"),
            lambda: db.plugins.disable("p1"),
            lambda: db.plugins.unregister("p1"),
            lambda: db.plugins.run_hook("h"),
            lambda: authority.set_role(db, "staging"),
        ]
        for _index, write in enumerate(writes):
            with pytest.raises(ReadOnlyError):
                write()
        for sql in ("INSERT INTO tier0.governance_settings (key, value, updated_at) VALUES ('x', '1', 'now')",
                    "UPDATE tier0.store_identity SET declared_role = 'staging'",
                    "DELETE FROM tier0.plugins", "DROP TABLE tier0.plugins", "CREATE TABLE tier1.x (a)",
                    "PRAGMA tier0.user_version = 7", "ATTACH 'evil.db' AS evil", "VACUUM",
                    "REPLACE INTO tier0.boundary_rules (rule_id, effect, pattern, operations, created_at) "
                    "VALUES ('r', 'allow', '**', '[\"read\"]', 'now')"):
            with pytest.raises(ReadOnlyError):
                db.query(sql)
        # reads still work, and nothing a read does writes
        assert db.audit.verify().tiers and db.boundary.check("x/.env", "read").allowed is False
        assert db.query("SELECT declared_role FROM tier0.store_identity")[0]["declared_role"] == "replica"
    assert digest(replica) == before


def test_replica_role_contradiction_and_declared_replica(replica: Path, tmp_path: Path) -> None:
    with pytest.raises(AuthorityError) as info:
        cortexdb.open(replica, role="staging")
    assert "'replica'" in str(info.value) and "'staging'" in str(info.value)
    with cortexdb.open(replica, role="replica") as db:
        assert db.readonly
    with pytest.raises(AuthorityError, match="recorded as a 'staging' store but was opened with role 'replica'"):
        cortexdb.open(tmp_path / "primary", role="replica")


def test_replica_behind_the_package_says_migrate_the_primary(replica: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    before = digest(replica)
    monkeypatch.setenv("CORTEXDB_SCHEMA_PATH", str(extra_root(tmp_path)))
    with pytest.raises(MigrationError, match="migrate the primary"):
        cortexdb.open(replica)
    assert digest(replica) == before


def test_make_replica_refreshes_a_replica_but_never_overwrites_a_primary(tmp_path: Path) -> None:
    with cortexdb.open(tmp_path / "a") as a, cortexdb.open(tmp_path / "b") as b:
        authority.create_replica(a, tmp_path / "r")
        a.audit.record_decision("policy", "refresh", "approved", decided_by="t")
        authority.create_replica(a, tmp_path / "r")               # refresh in place
        with cortexdb.open(tmp_path / "r") as r:
            assert r.audit.decisions(subject="refresh")
        with pytest.raises(AuthorityError, match="refusing to overwrite"):
            authority.create_replica(a, tmp_path / "b")
        with pytest.raises(cortexdb.ValidationError):
            authority.create_replica(b, tmp_path / "b")
        assert b.identity()["declared_role"] == "staging"

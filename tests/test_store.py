"""Opening, tiers, identity, transactions, error wrapping."""

from __future__ import annotations

from pathlib import Path

import apsw
import pytest

import cortexdb
from cortexdb import _sqlite


def test_open_creates_four_tier_files_with_application_id(tmp_path: Path) -> None:
    with cortexdb.open(tmp_path / "s") as db:
        for tier in _sqlite.TIERS:
            assert (tmp_path / "s" / f"{tier}.db").exists()
            assert db.execute(f"PRAGMA {tier}.application_id")[0][0] == _sqlite.APPLICATION_ID
            assert db.execute(f"PRAGMA {tier}.journal_mode")[0][0] == "wal"
        names = [r[1] for r in db.execute("PRAGMA database_list")]
        assert names[:1] == ["main"] and set(_sqlite.TIERS) <= set(names)
        assert db.execute("PRAGMA tier3.synchronous")[0][0] == 2  # FULL: archive must be durable
        assert db.execute("PRAGMA tier1.synchronous")[0][0] == 1
        assert db.execute("PRAGMA foreign_keys")[0][0] == 1


def test_home_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORTEXDB_HOME", str(tmp_path / "env"))
    with cortexdb.open() as db:
        assert db.home == tmp_path / "env"
    with cortexdb.open(tmp_path / "explicit") as db:
        assert db.home == tmp_path / "explicit"
    monkeypatch.delenv("CORTEXDB_HOME")
    import platformdirs
    assert cortexdb.store.resolve_home(None) == Path(platformdirs.user_data_dir("cortexdb"))


def test_identity_recorded_once(tmp_path: Path, clock: cortexdb.ManualClock) -> None:
    with cortexdb.open(tmp_path / "s", clock=clock) as db:
        first = db.identity()
    clock.advance(3600)
    with cortexdb.open(tmp_path / "s", clock=clock) as db:
        again = db.identity()
        assert db.migrated == []
    assert first == again
    assert first["declared_role"] == "staging"
    assert first["enabled_modules"] == ["core", "cortex", "governance"]
    assert first["created_at"] == "2026-01-01 00:00:00.000"


def test_second_open_does_no_migration_work(tmp_path: Path) -> None:
    with cortexdb.open(tmp_path / "s") as db:
        assert db.migrated  # fresh store: everything applied
    with cortexdb.open(tmp_path / "s") as db:
        assert db.migrated == []


def test_transaction_commits_and_rolls_back(db: cortexdb.Store) -> None:
    with db.transaction():
        db.execute("INSERT INTO tier1.conversations (conversation_id, title) VALUES ('c1', 't')")
    with pytest.raises(RuntimeError), db.transaction():
        db.execute("INSERT INTO tier1.conversations (conversation_id, title) VALUES ('c2', 't')")
        raise RuntimeError("boom")
    assert [r[0] for r in db.execute("SELECT conversation_id FROM tier1.conversations")] == ["c1"]


def test_nested_transaction_is_a_savepoint(db: cortexdb.Store) -> None:
    with db.transaction():
        db.execute("INSERT INTO tier1.conversations (conversation_id) VALUES ('outer')")
        with pytest.raises(ValueError), db.transaction():
            db.execute("INSERT INTO tier1.conversations (conversation_id) VALUES ('inner')")
            raise ValueError
        with db.transaction():
            db.execute("INSERT INTO tier1.conversations (conversation_id) VALUES ('inner2')")
    rows = {r[0] for r in db.execute("SELECT conversation_id FROM tier1.conversations")}
    assert rows == {"outer", "inner2"}


def test_constraint_error_is_wrapped(db: cortexdb.Store) -> None:
    db.execute("INSERT INTO tier1.conversations (conversation_id) VALUES ('dup')")
    with pytest.raises(cortexdb.IntegrityError) as info, db.transaction():
        db.execute("INSERT INTO tier1.conversations (conversation_id) VALUES ('dup')")
    assert isinstance(info.value.__cause__, apsw.ConstraintError)
    with pytest.raises(cortexdb.CortexError):
        db.execute("SELECT * FROM no_such_table")


def test_closed_store_raises_closed_error(tmp_path: Path) -> None:
    db = cortexdb.open(tmp_path / "s")
    db.close()
    db.close()
    with pytest.raises(cortexdb.ClosedError):
        db.query("SELECT 1")
    with pytest.raises(cortexdb.ClosedError):
        with db.transaction():
            pass


def test_readonly_open(tmp_path: Path) -> None:
    cortexdb.open(tmp_path / "s").close()
    with cortexdb.open(tmp_path / "s", readonly=True) as db:
        assert db.query("SELECT count(*) AS n FROM store_identity")[0]["n"] == 1
        with pytest.raises(cortexdb.ReadOnlyError):
            with db.transaction():
                pass
    with pytest.raises(cortexdb.CortexError, match="no store"):
        cortexdb.open(tmp_path / "missing", readonly=True)


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(cortexdb.ValidationError, match="role"):
        cortexdb.open(tmp_path / "s", role="boss")
    with pytest.raises(cortexdb.ValidationError, match="modules"):
        cortexdb.open(tmp_path / "s", modules=["nope"])
    with pytest.raises(cortexdb.ValidationError, match="modules"):
        cortexdb.open(tmp_path / "s", modules=["../etc"])


def test_status_reports_tiers(db: cortexdb.Store) -> None:
    report = db.status()
    assert [t.name for t in report.tiers] == list(_sqlite.TIERS)
    tier1 = report.tiers[1]
    assert tier1.schema_versions["cortex"] >= 3
    assert tier1.row_counts["conversations"] == 0
    assert report.role == "staging" and report.store_id


def test_home_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(cortexdb.StoreFileError, match="store directory"):
        cortexdb.open(tmp_path / "file")

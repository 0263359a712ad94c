"""Foreign, truncated and non-SQLite tier files are refused and left byte-for-byte untouched."""

from __future__ import annotations

import os
from pathlib import Path

import apsw
import pytest
from store_helpers import digest

import cortexdb


def _only_tier0(home: Path, make) -> Path:
    home.mkdir()
    path = home / "tier0.db"
    make(path)
    return path


def _foreign_sqlite(path: Path) -> None:
    conn = apsw.Connection(str(path))
    conn.execute("CREATE TABLE mine (x); INSERT INTO mine VALUES (1)")
    conn.close()


def _other_app_sqlite(path: Path) -> None:
    conn = apsw.Connection(str(path))
    conn.execute("PRAGMA application_id = 1234; CREATE TABLE t (x)")
    conn.close()


def _not_sqlite(path: Path) -> None:
    path.write_bytes(b"name,value\n" + os.urandom(5000))


def _tiny(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00\x10")


@pytest.mark.parametrize("make", [_foreign_sqlite, _other_app_sqlite, _not_sqlite, _tiny],
                         ids=["foreign", "other-app-id", "not-sqlite", "truncated-header"])
def test_refused_and_untouched(tmp_path: Path, make) -> None:
    home = tmp_path / "s"
    path = _only_tier0(home, make)
    before = digest(path)
    with pytest.raises(cortexdb.StoreFileError) as info:
        cortexdb.open(home)
    assert str(path) in str(info.value) and "untouched" in str(info.value)
    assert digest(path) == before


def _fill_tier1(home: Path) -> None:
    """A store whose tier1 file holds a few hundred pages, all checkpointed into the file."""
    with cortexdb.open(home) as db:
        with db.transaction():
            db.execute("INSERT INTO tier1.conversations (conversation_id) VALUES ('c')")
            for _ in range(300):
                db.execute("INSERT INTO tier1.messages (conversation_id, role, content) VALUES ('c', 'user', ?)",
                           ("x" * 2000,))
        db.execute("PRAGMA tier1.wal_checkpoint(TRUNCATE)")


def test_truncated_cortexdb_tier_refused(tmp_path: Path) -> None:
    home = tmp_path / "s"
    _fill_tier1(home)
    path = home / "tier1.db"
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.truncate(size // 2)
    before = digest(path)
    with pytest.raises(cortexdb.StoreFileError, match="truncated"):
        cortexdb.open(home)
    assert digest(path) == before


def test_foreign_file_in_later_tier_refused(tmp_path: Path) -> None:
    home = tmp_path / "s"
    home.mkdir()
    _foreign_sqlite(home / "tier2.db")
    before = digest(home / "tier2.db")
    with pytest.raises(cortexdb.StoreFileError):
        cortexdb.open(home)
    assert digest(home / "tier2.db") == before


def test_file_shorter_than_header_with_a_wal_is_a_killed_checkpoint_not_truncation(tmp_path: Path) -> None:
    """A checkpoint killed after writing page 1 leaves the file shorter than its header says while
    the WAL still holds the later pages: that is recoverable, so it is not refused."""
    home = tmp_path / "s"
    _fill_tier1(home)
    path = home / "tier1.db"
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size - 4096)
    wal = Path(f"{path}-wal")
    wal.write_bytes(b"\x37\x7f\x06\x82" + bytes(28))  # WAL frames pending (a header is enough for the check)
    assert cortexdb._sqlite.inspect_file(path) is False  # an existing tier, accepted
    wal.unlink()
    with pytest.raises(cortexdb.StoreFileError, match="truncated"):
        cortexdb._sqlite.inspect_file(path)

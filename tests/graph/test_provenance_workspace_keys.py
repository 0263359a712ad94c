"""Stable keys of provenance links and workspace discoveries (cortex tier2 0008), on a store
upgraded while holding data: every link gets its own uuid and keeps its id (and ids are still
never reused), discoveries that differ only by NULLs are merged into one, and the audit triggers
cover the new column."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_helpers import tier_before

import cortexdb
from cortexdb.errors import IntegrityError


def _tier2_before_0008(home: Path) -> None:
    with tier_before(home, "tier2", 8) as conn:
        for i in range(1, 8):
            conn.execute("INSERT INTO provenance_links (source_type, source_ref, target_type, target_ref, relation, "
                         "created_at) VALUES ('file', ?, 'conversation', 'c-1', 'generated', '2026-01-01 00:00:00')",
                         (f"f{i}.py",))
        conn.execute("DELETE FROM provenance_links WHERE id = 7")        # AUTOINCREMENT's mark stays at 7
        conn.execute("INSERT INTO provenance_links (source_type, source_ref, target_type, target_ref, relation) "
                     "VALUES ('file', 'f1.py', 'conversation', 'c-1', 'generated')")  # a deliberate twin, id 8
        for verified in (10.0, 30.0, 20.0):                              # NULL host: UNIQUE let all three in
            conn.execute("INSERT INTO workspace_databases (database_type, connection_string, host, port, "
                         "discovered_at, last_verified) VALUES ('sqlite', ?, NULL, NULL, 1.0, ?)",
                         (f"file:{verified}", verified))
        conn.execute("INSERT INTO workspace_apis (api_type, base_url, discovered_at) VALUES ('rest', 'http://a', 1.0)")


def test_upgrade_keys_links_and_merges_discoveries_differing_only_by_nulls(tmp_path: Path) -> None:
    home = tmp_path / "s"
    _tier2_before_0008(home)
    with cortexdb.open(home) as db:
        rows = db.execute("SELECT id, uuid, source_ref FROM tier2.provenance_links ORDER BY id")
        assert [r[0] for r in rows] == [1, 2, 3, 4, 5, 6, 8]
        uuids = [r[1] for r in rows]
        assert len(set(uuids)) == 7 and all(len(u) == 32 for u in uuids)
        assert [r[2] for r in rows][-1] == "f1.py"                       # both twins kept, each with its key
        link = db.provenance.link("file", "new.py", "conversation", "c-2", "generated")
        assert link.id == 9                                              # 7 was used once: never again
        assert len(db.execute("SELECT uuid FROM tier2.provenance_links WHERE id = 9")[0][0]) == 32
        (survivor,) = db.workspace.query_discovered_databases("sqlite")
        assert survivor["connection_string"] == "file:30.0"              # the most recently verified stays
        db.workspace.record_database(database_type="sqlite", connection_string="file:again")
        assert len(db.workspace.query_discovered_databases("sqlite")) == 1
        with pytest.raises(IntegrityError):                        # around the API too, now
            db.execute("INSERT INTO tier2.workspace_databases (database_type, connection_string, discovered_at) "
                       "VALUES ('sqlite', 'file:other', 2.0)")
        logged = db.audit.log(tier="tier2", table="provenance_links")
        assert logged[-1].new_values["uuid"] == db.execute(
            "SELECT uuid FROM tier2.provenance_links WHERE id = 9")[0][0]
        moved = db.archive.move("provenance_links", [1])                 # the archive keeps the key
        assert moved.rows == 1
        assert db.execute("SELECT uuid FROM tier3.archived_provenance_links WHERE id = 1")[0][0] == uuids[0]
        db.archive.restore("provenance_links", [1])
        assert db.execute("SELECT uuid FROM tier2.provenance_links WHERE id = 1")[0][0] == uuids[0]


def test_workspace_rows_move_to_the_archive_and_back_with_their_stale_mark(tmp_path: Path) -> None:
    clock = cortexdb.ManualClock()
    with cortexdb.open(tmp_path / "s", clock=clock) as db:
        row = db.workspace.record_framework(framework_type="flask", config_location="app.py", version="3")
        clock.advance(100)
        assert db.workspace.mark_stale(10) == 1
        assert db.archive.move("workspace_frameworks", [row["id"]]).rows == 1
        assert db.workspace.query_discovered_frameworks(include_stale=True) == []
        db.archive.restore("workspace_frameworks", [row["id"]])
        (back,) = db.workspace.stale()
        assert (back["version"], back["stale_since"]) == ("3", db.now())


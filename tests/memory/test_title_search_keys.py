"""Title search keyed by integers (migration tier1 0009): deleting or retitling a conversation
reaches its FTS row through the rowid, not by scanning the index; an upgraded store holding
titled conversations keeps every title searchable; archival plans start from the keys."""

from __future__ import annotations

from pathlib import Path

import apsw
from store_helpers import tier_before

import cortexdb


def _tier1_before_0009(home: Path) -> None:
    with tier_before(home, "tier1", 9) as conn:
        for i in range(30):
            conn.execute("INSERT INTO conversations (conversation_id, title) VALUES (?, ?)",
                         (f"c{i}", f"Safari login {i}" if i % 3 else None))
        conn.execute("INSERT INTO messages (conversation_id, role, content) VALUES ('c1', 'user', 'cookies')")


def _title_hits(db: cortexdb.Store, query: str) -> set[str]:
    return {h.conversation_id for h in db.conversations.search(query, limit=100) if h.message_id is None}


def test_upgraded_store_keeps_titles_searchable_and_deletes_by_key(tmp_path: Path) -> None:
    home = tmp_path / "s"
    _tier1_before_0009(home)
    with cortexdb.open(home) as db:
        assert any("0009_title_search_keys" in label for label in db.migrated)
        titled = {f"c{i}" for i in range(30) if i % 3}
        assert _title_hits(db, "safari") == titled
        assert db.execute("SELECT count(*) FROM tier1.conversation_title_keys")[0][0] == len(titled)
        db.conversations.delete("c1")
        assert _title_hits(db, "safari") == titled - {"c1"}
        with db.transaction():
            db.execute("UPDATE tier1.conversations SET title = 'Chrome crash' WHERE conversation_id = 'c2'")
            db.execute("UPDATE tier1.conversations SET title = 'Safari again' WHERE conversation_id = 'c3'")
            db.execute("UPDATE tier1.conversations SET title = NULL WHERE conversation_id = 'c4'")
            db.execute("UPDATE tier1.conversations SET conversation_id = 'renamed' WHERE conversation_id = 'c5'")
        assert _title_hits(db, "chrome") == {"c2"}
        assert _title_hits(db, "safari") == (titled - {"c1", "c2", "c4", "c5"}) | {"c3", "renamed"}
        fresh = db.conversations.start("Firefox hang")
        assert _title_hits(db, "firefox") == {fresh.conversation_id}
        # the index holds exactly one row per titled conversation, under its key
        assert db.execute(
            "SELECT count(*) FROM tier1.conversation_titles_fts f JOIN tier1.conversation_title_keys k ON k.id = f.rowid "
            "JOIN tier1.conversations c ON c.conversation_id = k.conversation_id "
            "AND c.conversation_id = f.conversation_id")[0][0] == \
            db.execute("SELECT count(*) FROM tier1.conversations WHERE title IS NOT NULL")[0][0] == \
            db.execute("SELECT count(*) FROM tier1.conversation_titles_fts")[0][0]
        assert db.execute("INSERT INTO tier1.conversation_titles_fts (conversation_titles_fts, rank) "
                          "VALUES ('integrity-check', 1) RETURNING 1") is not None


def test_title_index_delete_uses_the_rowid(tmp_path: Path) -> None:
    with cortexdb.open(tmp_path / "s") as db:
        plan = " ".join(str(r[3]) for r in db.execute(
            "EXPLAIN QUERY PLAN DELETE FROM tier1.conversation_titles_fts "
            "WHERE rowid = (SELECT id FROM tier1.conversation_title_keys WHERE conversation_id = 'x')"))
        assert "VIRTUAL TABLE INDEX 0:=" in plan, plan  # FTS5 idxStr "=": a rowid equality
        assert "conversation_title_keys USING" in plan, plan


def test_archive_plan_starts_from_the_keys(tmp_path: Path) -> None:
    with cortexdb.open(tmp_path / "s") as db:
        for i in range(50):
            db.conversations.start(f"t{i}", conversation_id=f"c{i}").add_message("user", "hello")
        trace: list[str] = []

        def tracer(cursor: apsw.Cursor, sql: str, bindings: object) -> bool:
            if "lifecycle_keys t CROSS JOIN" in sql and not sql.startswith("EXPLAIN"):
                trace.extend(str(r[3]) for r in db.conn.execute("EXPLAIN QUERY PLAN " + sql, bindings))
            return True

        db.conn.exec_trace = tracer
        try:
            result = db.archive.move("conversations", ["c3", "c7"])
        finally:
            db.conn.exec_trace = None
        assert result.keys == 2
        assert trace and trace[0].startswith("SCAN t"), trace
        assert not any("SCAN s" in line for line in trace), trace
        assert db.conversations.get("c3", include_archived=True).conversation_id == "c3"

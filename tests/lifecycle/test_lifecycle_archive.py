"""Archival protocol: move, restore, resume, reading archived rows."""

from __future__ import annotations

import pytest
from lifecycle_helpers import census, populate

from cortexdb.errors import NotFoundError, ValidationError


def test_move_and_restore_round_trip(db):
    ids = populate(db, 5, 4)
    before = {t: db.execute(f"SELECT * FROM tier1.{t} ORDER BY 1")for t in ("messages", "conversation_actions")}
    result = db.archive.move("conversations", ids[:3])
    assert result.keys == 3 and result.rows == 3 * (1 + 4 + 1 + 1)
    c = census(db)
    assert c["conversations"] == (2, 3, 0) and c["messages"] == (8, 12, 0)
    got = db.archive.get("conversations", ids[0])
    assert got["archived"] and got["root"]["archived"] == 1 and len(got["children"]["messages"]) == 4
    assert [r["conversation_id"] for r in db.archive.list()] and len(db.archive.list(include_live=True)) == 5
    assert db.archive.search("message 2 of c00001")
    op = db.archive.operations()[0]
    assert op.state == "done" and op.status == "success" and op.records == 21
    back = db.archive.restore("conversations", ids[:3])
    assert back.keys == 3
    c = census(db)
    assert c["conversations"] == (5, 0, 0) and c["messages"] == (20, 0, 0)
    assert db.execute("SELECT sum(archived) FROM tier1.conversations")[0][0] == 0
    for t, rows in before.items():
        assert db.execute(f"SELECT * FROM tier1.{t} ORDER BY 1") == rows


def test_move_skips_unknown_and_already_archived_keys(db):
    ids = populate(db, 3, 1)
    db.archive.move("conversations", ids[:1])
    result = db.archive.move("conversations", [ids[0], "nope"])
    assert result.keys == 0 and result.operations == []


def test_interrupted_operation_is_resumed(db):
    ids = populate(db, 4, 2)
    archive = db.archive
    group = __import__("cortexdb.lifecycle.groups", fromlist=["x"]).get_group("conversations")
    op = archive._plan(group, ids, "archive")
    archive._copy(group, "archive", op)  # crash after the copy committed
    assert [o.id for o in archive.interrupted()] == [op]
    c = census(db)
    assert c["conversations"] == (4, 4, 4)  # both sides until the delete step
    assert archive.resume() == 1
    assert census(db)["conversations"] == (0, 4, 0)
    assert archive.interrupted() == []


def test_rows_added_after_copy_are_copied_before_delete(db):
    ids = populate(db, 1, 2)
    archive = db.archive
    from cortexdb.lifecycle.groups import get_group

    group = get_group("conversations")
    op = archive._plan(group, ids, "archive")
    archive._copy(group, "archive", op)
    with db.transaction():
        db.execute("INSERT INTO tier1.messages (conversation_id, role, content) VALUES (?, 'user', 'late')", (ids[0],))
    archive.resume()
    assert census(db)["messages"] == (0, 3, 0)


def test_archive_table_missing_column_refuses(db):
    populate(db, 1, 1)
    with db.transaction():
        db.execute("ALTER TABLE tier1.conversations ADD COLUMN extra TEXT")
    from cortexdb.errors import ArchiveError

    with pytest.raises(ArchiveError, match="extra"):
        db.archive.move("conversations", ["c00000"])
    assert census(db)["conversations"][0] == 1


def test_errors(db):
    with pytest.raises(ValidationError):
        db.archive.move("nope", [1])
    with pytest.raises(NotFoundError):
        db.archive.get("conversations", "missing")

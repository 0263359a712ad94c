"""Results built on the hot read paths (cortexdb._records) are the dataclasses their
constructors make: equal, hashable alike, frozen, with every field."""

from __future__ import annotations

import dataclasses

import pytest

import cortexdb
from cortexdb import ManualClock
from cortexdb._records import record
from cortexdb.graph.model import Entity
from cortexdb.memory.conversations import Message, SearchHit, Snapshot


def test_record_is_the_constructed_dataclass():
    fields = {"session_id": "s", "turn_number": 3, "state": {"a": [1]}, "created_at": "t"}
    made, built = record(Snapshot, dict(fields)), Snapshot(**fields)
    assert made == built and repr(made) == repr(built)
    assert [f.name for f in dataclasses.fields(made)] == list(fields)
    assert dataclasses.asdict(made) == fields
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.turn_number = 4  # type: ignore[misc]


def test_read_results_equal_their_constructors(tmp_path):
    with cortexdb.open(tmp_path / "s", clock=ManualClock()) as db:
        conv = db.conversations.start("t", session_id="s")
        conv.add_message("user", "hello there", metadata={"k": 1})
        conv.add_message("assistant", "general kenobi")
        conv.snapshot(turn=1, state={"x": 1})
        for message in db.conversations.messages(conv.conversation_id, limit=5, newest=True):
            assert message == Message(**{f.name: getattr(message, f.name) for f in dataclasses.fields(Message)})
        assert [m.content for m in conv.messages(newest=True, limit=1)] == ["general kenobi"]
        assert conv.messages()[0].metadata == {"k": 1}
        snap = conv.latest_snapshot()
        assert snap == Snapshot("s", 1, {"x": 1}, snap.created_at)
        [hit] = db.conversations.search("hello")
        assert hit == SearchHit(conv.conversation_id, "t", hit.score, "[hello] there", hit.message_id, "user",
                                hit.created_at, False)
        entity = db.graph.upsert_entity("e", kind="k", properties={"p": 2}, observations=["o"], tags=["b", "a"])
        [found] = db.graph.find(where={"$.p": 2})
        assert found == entity == Entity(**{f.name: getattr(found, f.name) for f in dataclasses.fields(Entity)})
        assert found.tags == ("a", "b") and found.observations == ("o",) and hash(found) == hash(entity)

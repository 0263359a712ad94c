"""Message vectors: validation, semantic and hybrid conversation search, the embedder, archival."""

from __future__ import annotations

import pytest

from cortexdb import ValidationError


def test_message_vectors_validate_and_write_nothing_on_error(db):
    conv = db.conversations.start("t")
    with pytest.raises(ValidationError, match="enable_vectors") as error:
        conv.add_message("user", "hi", embedding=[1.0, 0.0])
    assert error.value.field == "embedding"
    db.conversations.enable_vectors(dim=2, metric="l2")
    with pytest.raises(ValidationError) as error:
        conv.add_messages([{"role": "user", "content": "a", "embedding": [1.0, 0.0]},
                           {"role": "user", "content": "b", "embedding": [float("nan"), 0.0]}])
    assert error.value.field == "messages[1].embedding"
    with pytest.raises(ValidationError):
        db.conversations.enable_vectors(dim=2, metric="cosine")
    assert conv.messages() == []
    assert db.execute("SELECT count(*) FROM tier1.message_embeddings")[0][0] == 0


def test_semantic_and_hybrid_conversation_search(db):
    db.conversations.enable_vectors(dim=2, metric="l2")
    conv = db.conversations.start("support")
    first = conv.add_message("user", "the login fails on safari", embedding=[1.0, 0.0])
    second, third = conv.add_messages([{"role": "assistant", "content": "clear the cookies", "embedding": [0.0, 1.0]},
                                       {"role": "user", "content": "cookies cleared, safari works", "embedding": [0.0, 0.9]}])
    conv.add_message("user", "no vector")
    semantic = db.conversations.search(embedding=[1.0, 0.1], method="semantic", limit=2)
    assert [h.message_id for h in semantic] == [first, third]
    assert semantic[0].distance == pytest.approx(0.1) and semantic[0].text_score is None
    hybrid = db.conversations.search("cookies", embedding=[0.0, 0.95], method="hybrid", limit=3)
    assert {h.message_id for h in hybrid[:2]} == {second, third}
    assert all(h.text_score is not None for h in hybrid[:2])
    assert db.conversations.search("cookies")[0].distance is None  # text search unchanged


def test_embedder_fills_messages_and_vectors_follow_archival(db):
    db.conversations.enable_vectors(dim=2)
    db.set_embedder(lambda texts: [[1.0, float("rain" in t)] for t in texts])
    conv = db.conversations.start("weather")
    rain = conv.add_message("user", "will it rain tomorrow")
    conv.add_message("user", "")  # empty content is not embedded
    assert db.execute("SELECT count(*) FROM tier1.message_embeddings")[0][0] == 1
    assert db.conversations.search("rain please", method="semantic", limit=1)[0].message_id == rain
    db.archive.move("conversations", [conv.conversation_id])
    assert db.execute("SELECT count(*) FROM tier3.archived_message_embeddings")[0][0] == 1
    assert db.conversations.search("rain please", method="semantic") == []
    db.archive.restore("conversations", [conv.conversation_id])
    assert db.conversations.search("rain please", method="semantic", limit=1)[0].message_id == rain


def test_per_conversation_keeps_the_best_message_of_each(db):
    db.conversations.enable_vectors(dim=2, metric="l2")
    first, second = db.conversations.start("one"), db.conversations.start("two")
    a = first.add_message("user", "a", embedding=[0.0, 0.0])
    first.add_message("user", "b", embedding=[0.0, 0.1])
    c = second.add_message("user", "c", embedding=[0.0, 0.2])
    hits = db.conversations.search(embedding=[0.0, 0.0], method="semantic", per_conversation=True, limit=5)
    assert [(h.conversation_id, h.message_id) for h in hits] == [(first.conversation_id, a), (second.conversation_id, c)]
    with pytest.raises(ValidationError) as error:
        db.conversations.search(embedding=[0.0, 0.0], method="semantic", candidates=0)
    assert error.value.field == "candidates"

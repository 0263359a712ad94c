"""Conversations: messages, counts, actions, snapshots, status, search, bad input."""

from __future__ import annotations

import pytest

import cortexdb
from cortexdb.errors import CortexError, NotFoundError, ReadOnlyError, ValidationError


def test_start_add_and_read_back(db, clock):
    conv = db.conversations.start("Fix login bug", session_id="s1", metadata={"repo": "web"})
    assert conv.session_id == "s1"
    first = conv.add_message("user", "login fails on Safari", metadata={"path": "web/login.ts"})
    clock.advance(2)
    ids = conv.add_messages([("assistant", "checking", None), ("user", "thanks"),
                             {"role": "tool", "content": "ok", "metadata": [1, 2]}])
    assert ids == [first + 1, first + 2, first + 3]
    info = db.conversations.get(conv.conversation_id)
    assert info.message_count == 4
    assert info.title == "Fix login bug" and info.metadata == {"repo": "web"}
    assert info.last_updated == "2026-01-01 00:00:02.000"
    assert info.task_status == "open" and not info.archived
    messages = conv.messages()
    assert [m.content for m in messages] == ["login fails on Safari", "checking", "thanks", "ok"]
    assert messages[0].metadata == {"path": "web/login.ts"} and messages[3].metadata == [1, 2]
    assert [m.content for m in conv.messages(limit=2, newest=True)] == ["thanks", "ok"]
    assert [m.id for m in conv.messages(after_id=ids[1])] == [ids[2]]


def test_session_defaults_to_conversation_id(db):
    conv = db.conversations.start("t")
    assert conv.session_id == conv.conversation_id
    again = db.conversations.resume(conv.conversation_id)
    assert again == conv


def test_actions_set_last_action_at(db, clock):
    conv = db.conversations.start("t", session_id="sess")
    clock.advance(5)
    aid = conv.log_action(turn=1, action_type="retrieval", description="read login.ts",
                          metadata={"paths": ["web/login.ts"]}, success=False)
    info = db.conversations.get(conv.conversation_id)
    assert info.last_action_at == "2026-01-01 00:00:05.000" == info.last_updated
    (action,) = conv.actions()
    assert action.id == aid and action.session_id == "sess" and action.success is False
    assert action.metadata == {"paths": ["web/login.ts"]}
    conv.log_action(turn=2, action_type="write", description="patched")
    assert [a.turn_number for a in conv.actions()] == [1, 2]
    assert [a.description for a in conv.actions(turn=2)] == ["patched"]
    rows = db.query("SELECT action_type FROM tier1.conversation_actions WHERE session_id = ? ORDER BY turn_number",
                    ("sess",))
    assert [r["action_type"] for r in rows] == ["retrieval", "write"]


def test_snapshots_keep_last_five_per_session(db, clock):
    conv = db.conversations.start("t", session_id="s")
    other = db.conversations.start("u", session_id="other")
    other.snapshot(turn=0, state={"x": 0})
    for turn in range(1, 9):
        clock.advance(1)
        conv.snapshot(turn=turn, state={"turn": turn, "files": ["a"]})
    turns = [s.turn_number for s in conv.snapshots()]
    assert turns == [8, 7, 6, 5, 4]
    latest = conv.latest_snapshot()
    assert latest is not None and latest.turn_number == 8 and latest.state == {"turn": 8, "files": ["a"]}
    conv.snapshot(turn=8, state={"replaced": True})
    assert conv.latest_snapshot().state == {"replaced": True}
    assert other.latest_snapshot().state == {"x": 0}
    assert db.conversations.start("none").latest_snapshot() is None


def test_set_status_and_bad_status(db):
    conv = db.conversations.start("t")
    for status in ("in_progress", "blocked", "done", "open"):
        conv.set_status(status)
        assert conv.info().task_status == status
    with pytest.raises(ValidationError) as error:
        conv.set_status("finished")
    assert error.value.field == "status"


def test_recent_orders_by_last_update(db, clock):
    a = db.conversations.start("a")
    clock.advance(1)
    b = db.conversations.start("b")
    clock.advance(1)
    a.add_message("user", "bump")
    assert [c.title for c in db.conversations.recent()] == ["a", "b"]
    assert [c.title for c in db.conversations.recent(limit=1)] == ["a"]
    db.execute("UPDATE tier1.conversations SET archived = 1 WHERE conversation_id = ?", (a.conversation_id,))
    assert [c.title for c in db.conversations.recent()] == ["b"]
    assert {c.title for c in db.conversations.recent(include_archived=True)} == {"a", "b"}
    plan = db.query("EXPLAIN QUERY PLAN SELECT * FROM tier1.conversations WHERE archived = 0 "
                    "ORDER BY archived, last_updated DESC LIMIT 20")
    assert any("idx_conversations_active" in r["detail"] for r in plan)
    assert b.conversation_id


def test_search_messages_and_titles(db):
    login = db.conversations.start("Fix login bug")
    login.add_message("user", "login fails on Safari when cookies are blocked")
    login.add_message("assistant", "Safari blocks third-party cookies")
    other = db.conversations.start("Deploy pipeline")
    other.add_message("user", "the deploy uses Safari tests too")
    other.add_message("user", "nothing else")
    hits = db.conversations.search("safari cookies")
    assert [h.conversation_id for h in hits] == [login.conversation_id] * 2
    assert all("[Safari]" in h.snippet and h.message_id is not None for h in hits)
    assert {h.role for h in hits} == {"user", "assistant"}
    assert hits[0].score <= hits[1].score
    best = db.conversations.search("safari cookies", per_conversation=True)
    assert [h.conversation_id for h in best] == [login.conversation_id] and best[0] == hits[0]
    assert len(db.conversations.search("safari", per_conversation=True)) == 2
    assert len(db.conversations.search("safari", limit=1)) == 1
    hits = db.conversations.search("safari")
    assert {h.conversation_id for h in hits} == {login.conversation_id, other.conversation_id}
    title_hit = db.conversations.search("pipeline")
    assert [(h.conversation_id, h.message_id) for h in title_hit] == [(other.conversation_id, None)]
    assert title_hit[0].snippet == "Deploy [pipeline]"
    assert db.conversations.search("nonexistentword") == []
    assert db.conversations.search('"safari cookies" OR pipeline', syntax="fts5")
    # plain syntax takes operators and quotes literally, never as a syntax error
    assert db.conversations.search('AND " OR (') == []
    with pytest.raises(ValidationError) as error:
        db.conversations.search('AND " OR (', syntax="fts5")
    assert error.value.field == "query"
    with pytest.raises(ValidationError):
        db.conversations.search('"unterminated', syntax="fts5")
    with pytest.raises(ValidationError):
        db.conversations.search("   ")


def test_search_has_no_stale_tokens_after_update_and_delete(db):
    conv = db.conversations.start("Alpha title")
    mid = conv.add_message("user", "zebra crossing")
    db.execute("UPDATE tier1.messages SET content = 'giraffe neck' WHERE id = ?", (mid,))
    assert db.conversations.search("zebra") == []
    assert [h.message_id for h in db.conversations.search("giraffe")] == [mid]
    db.execute("UPDATE tier1.conversations SET title = 'Beta heading' WHERE conversation_id = ?", (conv.conversation_id,))
    assert db.conversations.search("alpha") == []
    assert len(db.conversations.search("beta")) == 1
    db.conversations.delete(conv.conversation_id)
    assert db.conversations.search("giraffe") == [] and db.conversations.search("beta") == []
    # FTS5's own integrity check compares the index with the content table
    db.execute("INSERT INTO tier1.messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)")
    with pytest.raises(NotFoundError):
        db.conversations.get(conv.conversation_id)


def test_counts_follow_raw_sql_writes(db):
    conv = db.conversations.start("t")
    conv.add_messages([("user", f"m{i}") for i in range(5)])
    db.execute("DELETE FROM tier1.messages WHERE id = (SELECT min(id) FROM tier1.messages)")
    assert conv.info().message_count == 4
    db.execute("UPDATE tier1.conversations SET message_count = 99")
    assert db.conversations.recount() == 1
    assert conv.info().message_count == 4


def test_delete_keeps_shared_session_rows(db):
    a = db.conversations.start("a", session_id="shared")
    b = db.conversations.start("b", session_id="shared")
    a.log_action(turn=1, action_type="write", description="x")
    a.snapshot(turn=1, state={})
    db.conversations.delete(a.conversation_id)
    assert len(b.actions()) == 1 and b.latest_snapshot() is not None
    db.conversations.delete(b.conversation_id)
    assert db.query("SELECT count(*) AS n FROM tier1.conversation_actions")[0]["n"] == 0


def test_unknown_ids_are_not_found(db):
    ghost = db.conversations.start("t")
    db.conversations.delete(ghost.conversation_id)
    for call in (lambda: ghost.add_message("user", "x"),
                 lambda: ghost.add_messages([("user", "x")]),
                 lambda: ghost.log_action(turn=1, action_type="write", description="x"),
                 lambda: ghost.snapshot(turn=1, state={}),
                 lambda: ghost.set_status("done"),
                 lambda: db.conversations.get("nope"),
                 lambda: db.conversations.resume("nope"),
                 lambda: db.conversations.messages("nope"),
                 lambda: db.conversations.delete("nope")):
        with pytest.raises(NotFoundError):
            call()
    assert db.query("SELECT count(*) AS n FROM tier1.messages")[0]["n"] == 0


@pytest.mark.parametrize(("call", "field"), [
    (lambda c: c.add_message("robot", "x"), "role"),
    (lambda c: c.add_message("user", 42), "content"),
    (lambda c: c.add_message("user", "x", metadata={1: "int key"}), "metadata"),
    (lambda c: c.add_message("user", "x", metadata={"f": float("nan")}), "metadata"),
    (lambda c: c.add_message("user", "x", metadata={"s": {1, 2}}), "metadata"),
    (lambda c: c.add_message("user", "bad \ud800 surrogate"), "content"),
    (lambda c: c.add_messages([("user", "ok"), ("robot", "x")]), "messages[1].role"),
    (lambda c: c.add_messages([("user", "ok"), ("user", "\udfff")]), "messages[1].content"),
    (lambda c: c.add_messages([("user",)]), "messages[0]"),
    (lambda c: c.add_messages("user"), "messages"),
    (lambda c: c.log_action(turn=-1, action_type="write", description="x"), "turn"),
    (lambda c: c.log_action(turn=1, action_type="dance", description="x"), "action_type"),
    (lambda c: c.log_action(turn=1, action_type="write", description=""), "description"),
    (lambda c: c.log_action(turn=1, action_type="write", description="x", success="yes"), "success"),
    (lambda c: c.snapshot(turn="1", state={}), "turn"),
    (lambda c: c.snapshot(turn=1, state={"x": object()}), "state"),
])
def test_bad_input_names_field_and_writes_nothing(db, call, field):
    conv = db.conversations.start("t")
    conv.add_message("user", "before")
    before = db.query("SELECT (SELECT count(*) FROM tier1.messages) AS m, (SELECT count(*) FROM "
                      "tier1.conversation_actions) AS a, (SELECT count(*) FROM tier1.conversation_state_snapshots) AS s, "
                      "(SELECT message_count FROM tier1.conversations) AS n")
    with pytest.raises(ValidationError) as error:
        call(conv)
    assert error.value.field == field
    after = db.query("SELECT (SELECT count(*) FROM tier1.messages) AS m, (SELECT count(*) FROM "
                     "tier1.conversation_actions) AS a, (SELECT count(*) FROM tier1.conversation_state_snapshots) AS s, "
                     "(SELECT message_count FROM tier1.conversations) AS n")
    assert before == after


def test_start_validation(db):
    with pytest.raises(ValidationError) as error:
        db.conversations.start(7)
    assert error.value.field == "title"
    with pytest.raises(ValidationError) as error:
        db.conversations.start("t", metadata={"x": 2**70})
    assert error.value.field == "metadata"
    db.conversations.start("t", conversation_id="fixed")
    with pytest.raises(ValidationError) as error:
        db.conversations.start("t", conversation_id="fixed")
    assert error.value.field == "conversation_id"
    with pytest.raises(ValidationError):
        db.conversations.recent(limit=0)


def test_big_and_odd_unicode_content_round_trips(db):
    conv = db.conversations.start("big \x00 title ☃")
    big = ("ünïcødé 🚀 \x00 NUL inside; " * 400_000)[: 10 * 1024 * 1024]
    mid = conv.add_message("user", big, metadata={"nul": "a\x00b", "emoji": "🚀"})
    (msg,) = conv.messages()
    assert msg.id == mid and msg.content == big and msg.metadata == {"nul": "a\x00b", "emoji": "🚀"}
    assert db.conversations.get(conv.conversation_id).title == "big \x00 title ☃"
    assert db.conversations.search("NUL inside")[0].message_id == mid


def test_add_messages_batch_round_trips_odd_text_in_order(db):
    """add_messages sends the batch as one JSON array (one statement): NUL, emoji, empty content,
    metadata and its absence all come back as written, ids in input order, searchable."""
    conv = db.conversations.start("t")
    items = [("user", "a\x00b 🚀"), ("assistant", "", {"k": "v\x00"}), {"role": "user", "content": "ünï 'q' \"dq\""},
             ("tool", "[1, 2]", None)]
    ids = conv.add_messages(items)
    got = conv.messages()
    assert [m.id for m in got] == ids == sorted(ids)
    assert [(m.role, m.content, m.metadata) for m in got] == [
        ("user", "a\x00b 🚀", None), ("assistant", "", {"k": "v\x00"}), ("user", "ünï 'q' \"dq\"", None),
        ("tool", "[1, 2]", None)]
    assert conv.info().message_count == 4
    assert db.conversations.search("ünï")[0].message_id == ids[2]


def test_add_messages_is_all_or_nothing(db):
    conv = db.conversations.start("t")
    db.execute("CREATE TRIGGER tier1.fail_third BEFORE INSERT ON messages WHEN new.content = 'third' "
               "BEGIN SELECT raise(ABORT, 'boom'); END")
    with pytest.raises(CortexError):
        conv.add_messages([("user", "first"), ("user", "second"), ("user", "third")])
    assert conv.messages() == [] and conv.info().message_count == 0
    assert db.conversations.search("first") == []


def test_joins_an_open_transaction(db):
    conv = db.conversations.start("t")
    with pytest.raises(RuntimeError):
        with db.transaction():
            conv.add_message("user", "inside")
            conv.log_action(turn=1, action_type="write", description="x")
            raise RuntimeError("roll back")
    assert conv.messages() == [] and conv.actions() == [] and conv.info().message_count == 0


def test_read_only_store_refuses_writes(tmp_path):
    path = tmp_path / "ro"
    with cortexdb.open(path) as db:
        conv = db.conversations.start("t")
        conv.add_message("user", "hello")
    with cortexdb.open(path, readonly=True) as ro:
        handle = ro.conversations.resume(conv.conversation_id)
        assert [m.content for m in handle.messages()] == ["hello"]
        assert ro.conversations.search("hello")
        with pytest.raises(ReadOnlyError):
            handle.add_message("user", "no")
        with pytest.raises(ReadOnlyError):
            ro.conversations.start("no")

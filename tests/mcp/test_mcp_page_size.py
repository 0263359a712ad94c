"""Pages stay under a byte budget, so a reply fits the TypeScript SDK client's 10 MB message limit."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

import cortexdb
from cortexdb.mcp import MemoryTools, tools


def test_read_graph_and_search_pages_are_bounded_by_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with cortexdb.open(tmp_path / "s") as db:
        memory = MemoryTools(db)
        memory.create_entities([{"name": f"node-{i}", "entityType": "thing", "observations": ["x" * 200]}
                                for i in range(200)])
        memory.create_relations([{"from": f"node-{i}", "to": f"node-{(i + 1) % 200}", "relationType": "next"}
                                 for i in range(200)])
        monkeypatch.setattr(tools, "PAGE_BYTES", 10_000)
        seen, relations, cursor = [], 0, None
        while True:
            page = memory.read_graph(cursor=cursor) if cursor else memory.read_graph()
            assert len(orjson.dumps(page)) <= 10_000 or len(page["entities"]) == 1
            seen += [e["name"] for e in page["entities"]]
            relations += len(page["relations"])
            cursor = page.get("nextCursor")
            if cursor is None:
                break
        assert seen == [f"node-{i}" for i in range(200)] and relations == 200  # every row exactly once
        first = memory.search_nodes("node")
        assert "nextCursor" in first and len(orjson.dumps(first)) <= 10_000

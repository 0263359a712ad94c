"""Several `cortexdb mcp` processes on one store lose nothing (the reference server rewrites its
whole file on every call, so two of them lose each other's writes)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from mcp_helpers import client, ent, ok, rel

import cortexdb


def test_two_servers_writing_500_entities_each_at_once(tmp_path: Path) -> None:
    home = tmp_path / "s"
    cortexdb.open(home).close()                     # create the store before both servers race to open it

    async def writer(prefix: str) -> int:
        async with client(home) as c:
            for start in range(0, 500, 10):         # 50 calls of 10 entities, interleaved with the other server
                batch = [ent(f"{prefix}-{i}", "t", f"made by {prefix}") for i in range(start, start + 10)]
                created = await ok(c, "create_entities", {"entities": batch})
                assert len(created["entities"]) == 10
                if start:
                    await ok(c, "create_relations", {"relations": [rel(f"{prefix}-{start}", f"{prefix}-{start - 1}")]})
                    await ok(c, "add_observations", {"observations": [
                        {"entityName": f"{prefix}-0", "contents": [f"batch {start}"]}]})
            return 500

    async def main() -> None:
        assert await asyncio.gather(writer("left"), writer("right")) == [500, 500]

    asyncio.run(main())
    with cortexdb.open(home) as db:
        names = {r[0] for r in db.execute("SELECT name FROM tier2.graph_entities WHERE namespace = 'default'")}
        assert names == {f"{p}-{i}" for p in ("left", "right") for i in range(500)}
        assert db.execute("SELECT count(*) FROM tier2.graph_relations WHERE valid_to IS NULL") == [(98,)]
        for prefix in ("left", "right"):
            assert len(db.graph.get_entity(f"{prefix}-0", touch=False).observations) == 50
        assert db.execute("INSERT INTO tier2.graph_substring (graph_substring, rank) VALUES ('integrity-check', 1)") == []

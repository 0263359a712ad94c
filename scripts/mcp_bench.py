#!/usr/bin/env python
"""End-to-end MCP benchmark: cortexdb's server beside the reference memory server, through the
official SDK's stdio client (real subprocesses, the real protocol).

Workload (the same for both, seeded): create ENTITIES entities (3 observations of 6 words from a
5,000-word vocabulary each) in batches, then
RELATIONS relations in batches, then SEARCHES search_nodes calls, then one read_graph. Reports
wall time per phase, total, and the median latency of the first and last 10% of create calls, to
show whether per-call cost grows with the graph.

    python scripts/mcp_bench.py                      # 20k entities / 60k relations / 500 searches
    python scripts/mcp_bench.py --entities 2000 --relations 6000 --searches 100 --only cortexdb

The reference server (npm @modelcontextprotocol/server-memory) is installed on first use into
~/.cache/cortexdb-bench with npm, and run with node. ``--client node`` drives both servers with the
TypeScript SDK's stdio client instead (scripts/mcp_bench_client.mjs, the SDK the reference server
depends on), the client most assistants embed; ``--client python`` (default) uses the Python SDK's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from mcp import Client
from mcp.client.stdio import StdioServerParameters

REFERENCE = "@modelcontextprotocol/server-memory@2026.8.31"
CACHE = Path.home() / ".cache" / "cortexdb-bench"
SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "po", "qu", "fe", "di", "gu", "ha", "jo")


def vocabulary(size: int, rng: random.Random) -> list[str]:
    """Distinct pseudo-words: each appears in about ENTITIES * 18 / size entities, so a search
    matches tens of entities, as a real assistant's memory search does, not half the graph."""
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choices(SYLLABLES, k=rng.randint(3, 5))))
    return sorted(words)


def reference_command(workdir: Path) -> StdioServerParameters:
    script = CACHE / "node_modules" / "@modelcontextprotocol" / "server-memory" / "dist" / "index.js"
    if not script.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--prefix", str(CACHE), REFERENCE], check=True)
    return StdioServerParameters(command="node", args=[str(script)],
                                 env={"MEMORY_FILE_PATH": str(workdir / "memory.jsonl")})


def cortexdb_command(workdir: Path) -> StdioServerParameters:
    exe = Path(sys.executable).with_name("cortexdb")
    return StdioServerParameters(command=str(exe), args=["--home", str(workdir / "store"), "mcp"])


def workload(entities: int, relations: int, searches: int, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    words = vocabulary(5000, rng)
    ents = [{"name": f"entity-{i}", "entityType": rng.choice(["file", "person", "concept", "service"]),
             "observations": [" ".join(rng.choices(words, k=6)) for _ in range(3)]} for i in range(entities)]
    rels, seen = [], set()
    while len(rels) < relations:
        a, b = rng.randrange(entities), rng.randrange(entities)
        kind = rng.choice(["uses", "depends_on", "relates_to"])
        if a != b and (a, b, kind) not in seen:
            seen.add((a, b, kind))
            rels.append({"from": f"entity-{a}", "to": f"entity-{b}", "relationType": kind})
    # Half the queries are a word from the vocabulary, half part of an entity name.
    queries = [rng.choice(words) if i % 2 else f"entity-{rng.randrange(entities)}" for i in range(searches)]
    return {"entities": ents, "relations": rels, "queries": queries}


async def run(server: StdioServerParameters, work: dict[str, Any], batch: int) -> dict[str, Any]:
    timings: dict[str, Any] = {}
    create_latencies: list[float] = []
    async with Client(server, read_timeout_seconds=600) as client:
        started = time.perf_counter()
        for i in range(0, len(work["entities"]), batch):
            t = time.perf_counter()
            result = await client.call_tool("create_entities", {"entities": work["entities"][i:i + batch]})
            create_latencies.append(time.perf_counter() - t)
            assert not result.is_error, result
        timings["create_entities_s"] = time.perf_counter() - started
        t0 = time.perf_counter()
        for i in range(0, len(work["relations"]), batch):
            t = time.perf_counter()
            result = await client.call_tool("create_relations", {"relations": work["relations"][i:i + batch]})
            create_latencies.append(time.perf_counter() - t)
            assert not result.is_error, result
        timings["create_relations_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        search_latencies = []
        for query in work["queries"]:
            t = time.perf_counter()
            result = await client.call_tool("search_nodes", {"query": query})
            search_latencies.append(time.perf_counter() - t)
            assert not result.is_error, result
        timings["searches_s"] = time.perf_counter() - t0
        timings["total_s"] = time.perf_counter() - started
        t = time.perf_counter()
        graph = await client.call_tool("read_graph", {})
        timings["read_graph_s"] = time.perf_counter() - t
        content = graph.structured_content or {}
        timings["read_graph_entities"] = len(content.get("entities", []))
    tenth = max(1, len(create_latencies) // 10)
    timings["create_first10pct_median_ms"] = statistics.median(create_latencies[:tenth]) * 1000
    timings["create_last10pct_median_ms"] = statistics.median(create_latencies[-tenth:]) * 1000
    # The same per phase: entity calls early vs late, relation calls early vs late (flatness).
    entity_calls = -(-len(work["entities"]) // batch)
    for phase, calls in (("entities", create_latencies[:entity_calls]), ("relations", create_latencies[entity_calls:])):
        if calls:
            part = max(1, len(calls) // 10)
            timings[f"{phase}_first10pct_median_ms"] = statistics.median(calls[:part]) * 1000
            timings[f"{phase}_last10pct_median_ms"] = statistics.median(calls[-part:]) * 1000
    timings["search_median_ms"] = statistics.median(search_latencies) * 1000
    return timings


def run_node(server: StdioServerParameters, work: dict[str, Any], batch: int) -> dict[str, Any]:
    """The same workload through the TypeScript SDK client (a node subprocess)."""
    import os

    sdk = CACHE / "node_modules" / "@modelcontextprotocol" / "sdk"
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(work, handle)
    try:
        out = subprocess.run(
            ["node", str(Path(__file__).with_name("mcp_bench_client.mjs")), handle.name, str(batch), server.command,
             *server.args], env={**os.environ, **(server.env or {}), "MCP_SDK_DIR": str(sdk)},
            check=True, stdout=subprocess.PIPE, text=True).stdout
    finally:
        Path(handle.name).unlink()
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=20_000)
    parser.add_argument("--relations", type=int, default=60_000)
    parser.add_argument("--searches", type=int, default=500)
    parser.add_argument("--batch", type=int, default=100, help="entities/relations per create call")
    parser.add_argument("--only", choices=["cortexdb", "reference"], help="run one server only")
    parser.add_argument("--client", choices=["python", "node"], default="python",
                        help="which official SDK's stdio client drives the servers (default python)")
    parser.add_argument("-o", "--out", default="mcp-bench-results.json")
    args = parser.parse_args()
    work = workload(args.entities, args.relations, args.searches)
    results = {}
    for name, command in (("reference", reference_command), ("cortexdb", cortexdb_command)):
        if args.only and args.only != name:
            continue
        workdir = Path(tempfile.mkdtemp(prefix=f"mcp-bench-{name}-"))
        try:
            server = command(workdir)
            results[name] = (run_node(server, work, args.batch) if args.client == "node"
                             else asyncio.run(run(server, work, args.batch)))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        print(name, json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in results[name].items()}))
    if len(results) == 2:
        speedup = results["reference"]["total_s"] / results["cortexdb"]["total_s"]
        print(f"end-to-end speedup cortexdb vs reference: {speedup:.1f}x")
        results["speedup"] = speedup
    Path(args.out).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

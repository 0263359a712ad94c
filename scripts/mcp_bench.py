#!/usr/bin/env python
"""End-to-end MCP benchmark: cortexdb's server beside the reference memory server, through the
official SDKs' stdio clients (real subprocesses, the real protocol), both servers interleaved.

Workloads (seeded, the same for both servers):

- ``broad``: 20,000 entities (3 observations of 6 words from a 5,000-word vocabulary each) created
  in calls of 50, 60,000 relations in calls of 100, then 500 ``search_nodes`` calls drawn from 97
  substring queries that match 200-2,000 entities each (big answers: every touching relation too).
- ``narrow``: the same graph created in calls of 100, then 500 searches for one vocabulary word
  (about 75 entities) or an entity name.

Clients: ``node`` is the TypeScript SDK's (scripts/mcp_bench_client.mjs, the SDK the reference
server depends on, the client most assistants embed; it validates results with ajv after
``listTools``); ``python`` the Python SDK's (it validates each result with jsonschema, timed
separately here). For each run the script prints wall time per phase and end to end, the server
process's CPU seconds per phase (utime + stime from /proc/<pid>/stat), the client's CPU share, the
median latency of the first and last 10% of calls of each kind, and for the searches how many
distinct queries got a different answer than from the reference.

    python scripts/mcp_bench.py                                  # both workloads, both clients, 1 round
    python scripts/mcp_bench.py --workload broad --client node --rounds 2
    python scripts/mcp_bench.py --entities 2000 --relations 6000 --searches 50 --only cortexdb   # smoke
    python scripts/mcp_bench.py --workload broad --client node --in-process   # and the server's floor

``--in-process`` also makes the same calls in this process on a fresh store (cortexdb's tool
functions, replies encoded as the stdio wire encodes them; no SDK, pipe or client) and prints the
CPU per phase: the floor under any transport. From it: the best server CPU ratio any transport
could reach, the best end-to-end ratio (that floor plus the client's own CPU, since the client waits
while the server works), and how much of the server's CPU the SDK and the wire take.

The reference (npm @modelcontextprotocol/server-memory, pinned by tests/mcp/reference/package-lock.json)
is installed on first use with ``npm ci --prefix tests/mcp/reference`` (or set CORTEXDB_MCP_REFERENCE_DIR).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
from mcp import Client
from mcp.client.stdio import StdioServerParameters

REFERENCE_DIR = Path(os.environ.get("CORTEXDB_MCP_REFERENCE_DIR")
                     or Path(__file__).resolve().parent.parent / "tests" / "mcp" / "reference")
SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "po", "qu", "fe", "di", "gu", "ha", "jo")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
BROAD_QUERIES = 97
BROAD_MATCHES = (200, 2000)


def vocabulary(size: int, rng: random.Random) -> list[str]:
    """Distinct pseudo-words: each appears in about ENTITIES * 18 / size entities."""
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choices(SYLLABLES, k=rng.randint(3, 5))))
    return sorted(words)


def graph(entities: int, relations: int, rng: random.Random) -> tuple[list[str], list[dict[str, Any]], list[dict[str, str]]]:
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
    return words, ents, rels


def broad_queries(words: list[str], ents: list[dict[str, Any]], count: int, rng: random.Random) -> list[str]:
    """``count`` distinct substrings of vocabulary words (3-6 letters) that each match between
    BROAD_MATCHES entities (name, type or an observation, case-insensitive, as search_nodes)."""
    texts = [" ".join([e["name"], e["entityType"], *e["observations"]]).lower() for e in ents]
    low, high = (max(1, round(m * len(ents) / 20_000)) for m in BROAD_MATCHES)
    found: list[str] = []
    tried: set[str] = set()
    while len(found) < count and len(tried) < 50_000:
        word = rng.choice(words)
        size = rng.randint(3, min(6, len(word)))
        start = rng.randrange(len(word) - size + 1)
        query = word[start:start + size]
        if query in tried:
            continue
        tried.add(query)
        if low <= sum(query in t for t in texts) <= high:
            found.append(query)
    return found


def workload(kind: str, entities: int, relations: int, searches: int, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    words, ents, rels = graph(entities, relations, rng)
    if kind == "broad":
        pool = broad_queries(words, ents, BROAD_QUERIES, rng)
        queries = [pool[i % len(pool)] for i in range(searches)]
        rng.shuffle(queries)
        return {"entities": ents, "relations": rels, "queries": queries, "entity_batch": 50, "relation_batch": 100}
    # Half the queries are a word from the vocabulary, half part of an entity name.
    queries = [rng.choice(words) if i % 2 else f"entity-{rng.randrange(entities)}" for i in range(searches)]
    return {"entities": ents, "relations": rels, "queries": queries, "entity_batch": 100, "relation_batch": 100}


def reference_script() -> Path:
    script = REFERENCE_DIR / "node_modules" / "@modelcontextprotocol" / "server-memory" / "dist" / "index.js"
    if not script.exists():
        subprocess.run(["npm", "ci", "--prefix", str(REFERENCE_DIR), "--no-audit", "--no-fund"], check=True)
    return script


def server_command(name: str, workdir: Path) -> tuple[list[str], dict[str, str]]:
    """The server's command line and environment; run through ``sh`` so it writes its pid first."""
    if name == "reference":
        command = [shutil.which("node") or "node", str(reference_script())]
        env = {"MEMORY_FILE_PATH": str(workdir / "memory.jsonl")}
    else:
        command = [str(Path(sys.executable).with_name("cortexdb")), "--home", str(workdir / "store"), "mcp"]
        env = {}
    pidfile = workdir / "server.pid"
    return ["sh", "-c", f'echo $$ > "{pidfile}" && exec "$@"', "sh", *command], env


def cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` (all its threads) from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def digest(structured: Any) -> str:
    return hashlib.sha1(json.dumps(structured, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()


def tenths(latencies: list[float]) -> tuple[float, float]:
    """Median latency (ms) of the first and of the last 10% of ``latencies``."""
    part = max(1, len(latencies) // 10)
    return statistics.median(latencies[:part]) * 1000, statistics.median(latencies[-part:]) * 1000


async def run_python(command: list[str], env: dict[str, str], work: dict[str, Any], pidfile: Path) -> dict[str, Any]:
    """The workload through the Python SDK's stdio client, timing its jsonschema validation apart."""
    out: dict[str, Any] = {"latency_ms": {}, "phase_s": {}, "server_cpu_s": {}, "validate_s": {}}
    params = StdioServerParameters(command=command[0], args=command[1:], env={**os.environ, **env})
    async with Client(params, read_timeout_seconds=600) as client:
        await client.list_tools()  # as assistants do: the client then validates each result against its schema
        session = client.session
        original = session.validate_tool_result
        validation = [0.0]

        async def timed_validation(name: str, result: Any) -> None:
            t = time.perf_counter()
            await original(name, result)
            validation[0] += time.perf_counter() - t

        session.validate_tool_result = timed_validation  # type: ignore[method-assign]
        pid = int(pidfile.read_text())
        digests: dict[str, str] = {}
        started, cpu0, client0 = time.perf_counter(), cpu_seconds(pid), time.process_time()

        async def phase(name: str, calls: list[tuple[str, dict[str, Any]]]) -> None:
            t0, c0, v0 = time.perf_counter(), cpu_seconds(pid), validation[0]
            latencies = []
            for tool, args in calls:
                t = time.perf_counter()
                result = await client.call_tool(tool, args)
                latencies.append(time.perf_counter() - t)
                assert not result.is_error, (tool, result.content)
                if tool == "search_nodes" and args["query"] not in digests:
                    digests[args["query"]] = digest(result.structured_content)
            out["phase_s"][name] = time.perf_counter() - t0
            out["server_cpu_s"][name] = cpu_seconds(pid) - c0
            out["validate_s"][name] = validation[0] - v0
            out["latency_ms"][name] = tenths(latencies)

        for name, calls in phases(work):
            await phase(name, calls)
        out["total_s"] = time.perf_counter() - started
        out["server_cpu_s"]["total"] = cpu_seconds(pid) - cpu0
        out["client_cpu_s"] = time.process_time() - client0
        out["digests"] = digests
    return out


def run_node(command: list[str], env: dict[str, str], work: dict[str, Any], pidfile: Path) -> dict[str, Any]:
    """The same workload through the TypeScript SDK's stdio client (a node subprocess)."""
    sdk = REFERENCE_DIR / "node_modules" / "@modelcontextprotocol" / "sdk"
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(work, handle)
    try:
        done = subprocess.run(
            ["node", str(Path(__file__).with_name("mcp_bench_client.mjs")), handle.name, *command],
            env={**os.environ, **env, "MCP_SDK_DIR": str(sdk), "SERVER_PIDFILE": str(pidfile),
                 "CLOCK_TICKS": str(CLOCK_TICKS)}, check=True, stdout=subprocess.PIPE, text=True)
    finally:
        Path(handle.name).unlink()
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_once(server: str, client: str, work: dict[str, Any]) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix=f"mcp-bench-{server}-"))
    try:
        command, env = server_command(server, workdir)
        pidfile = workdir / "server.pid"
        if client == "node":
            return run_node(command, env, work, pidfile)
        return asyncio.run(run_python(command, env, work, pidfile))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def in_process(work: dict[str, Any]) -> dict[str, float]:
    """CPU seconds per phase of the same calls made in this process on a fresh store: cortexdb's
    tool functions, each reply encoded as the stdio wire encodes it, with no MCP SDK, pipe or
    client. What no transport can go below: the server's floor for this workload."""
    import cortexdb
    from cortexdb.mcp.server import reference_calls
    from cortexdb.mcp.tools import MemoryTools
    from cortexdb.mcp.wire import Replies

    workdir = Path(tempfile.mkdtemp(prefix="mcp-bench-in-process-"))
    try:
        with cortexdb.open(workdir / "store") as store:
            calls, replies, out = reference_calls(MemoryTools(store)), Replies(), {}
            for name, items in phases(work):
                cpu = time.process_time()
                for tool, args in items:
                    text, structured = replies.result(*calls[tool](args))  # placeholders, then the
                    replies.splice(orjson.dumps({"content": [{"type": "text", "text": text}],  # encoded reply
                                                 "structuredContent": structured}))
                out[name] = time.process_time() - cpu
            out["total"] = sum(out.values())
            return out
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def phases(work: dict[str, Any]) -> list[tuple[str, list[tuple[str, dict[str, Any]]]]]:
    """The workload's three phases as (name, [(tool, arguments), ...])."""
    eb, rb = work["entity_batch"], work["relation_batch"]
    return [("entities", [("create_entities", {"entities": work["entities"][i:i + eb]})
                          for i in range(0, len(work["entities"]), eb)]),
            ("relations", [("create_relations", {"relations": work["relations"][i:i + rb]})
                           for i in range(0, len(work["relations"]), rb)]),
            ("searches", [("search_nodes", {"query": q}) for q in work["queries"]])]


def summary(result: dict[str, Any]) -> str:
    phases = " ".join(f"{k} {v:.2f}s" for k, v in result["phase_s"].items())
    cpu = " ".join(f"{k} {v:.2f}s" for k, v in result["server_cpu_s"].items())
    latency = " ".join(f"{k} {a:.1f}->{b:.1f}ms" for k, (a, b) in result["latency_ms"].items())
    share = result["client_cpu_s"] / result["total_s"]
    line = (f"total {result['total_s']:.2f}s | {phases} | server CPU: {cpu} | client CPU {result['client_cpu_s']:.2f}s "
            f"({share:.0%} of wall) | first->last 10%: {latency}")
    if result.get("validate_s"):
        line += f" | client jsonschema validation {sum(result['validate_s'].values()):.2f}s"
    return line


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workload", choices=["broad", "narrow", "all"], default="all")
    parser.add_argument("--client", choices=["node", "python", "all"], default="all")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each server, interleaved (default 1)")
    parser.add_argument("--only", choices=["cortexdb", "reference"], help="run one server only")
    parser.add_argument("--entities", type=int, default=20_000)
    parser.add_argument("--relations", type=int, default=60_000)
    parser.add_argument("--searches", type=int, default=500)
    parser.add_argument("--in-process", action="store_true",
                        help="also time the same calls in process (no SDK, pipe or client): the server's floor")
    parser.add_argument("-o", "--out", default="mcp-bench-results.json")
    args = parser.parse_args()
    workloads = ["broad", "narrow"] if args.workload == "all" else [args.workload]
    clients = ["node", "python"] if args.client == "all" else [args.client]
    servers = [args.only] if args.only else ["reference", "cortexdb"]
    results: dict[str, Any] = {}
    for kind in workloads:
        work = workload(kind, args.entities, args.relations, args.searches)
        print(f"== {kind}: {len(work['entities'])} entities in calls of {work['entity_batch']}, "
              f"{len(work['relations'])} relations in calls of {work['relation_batch']}, "
              f"{len(work['queries'])} searches ({len(set(work['queries']))} distinct queries)", flush=True)
        for client in clients:
            runs: dict[str, list[dict[str, Any]]] = {s: [] for s in servers}
            for round_ in range(args.rounds):
                for server in servers if round_ % 2 == 0 else servers[::-1]:  # interleaved: A B B A ...
                    result = run_once(server, client, work)
                    runs[server].append(result)
                    print(f"{kind} {client} {server:9} {summary(result)}", flush=True)
            results[f"{kind}/{client}"] = runs
            if len(servers) == 2:
                report_ratio(kind, client, runs)
        if args.in_process:
            floor = in_process(work)
            results[f"{kind}/in-process"] = floor
            print(f"{kind} in process: CPU " + " ".join(f"{k} {v:.2f}s" for k, v in floor.items()), flush=True)
            for client in clients:
                report_floor(kind, client, results[f"{kind}/{client}"], floor)
    Path(args.out).write_text(json.dumps(results, indent=2))
    return 0


def report_floor(kind: str, client: str, runs: dict[str, list[dict[str, Any]]], floor: dict[str, float]) -> None:
    """The best ratios any transport could give: the server's CPU at the in-process floor, and
    end to end that floor plus the client's own CPU (the client waits while the server works)."""
    parts = []
    if runs.get("reference"):
        theirs_cpu = statistics.median(r["server_cpu_s"]["total"] for r in runs["reference"])
        parts.append(f"server CPU at best {theirs_cpu / floor['total']:.1f}x")
        if runs.get("cortexdb"):
            theirs = statistics.median(r["total_s"] for r in runs["reference"])
            client_cpu = statistics.median(r["client_cpu_s"] for r in runs["cortexdb"])
            parts.append(f"end to end at best {theirs / (floor['total'] + client_cpu):.1f}x (floor "
                         f"{floor['total']:.2f}s + the client's {client_cpu:.2f}s)")
    if runs.get("cortexdb"):
        ours = statistics.median(r["server_cpu_s"]["total"] for r in runs["cortexdb"])
        parts.append(f"transport and SDK {ours - floor['total']:.2f}s of cortexdb's {ours:.2f}s server CPU")
    print(f"{kind} {client} floor: " + "; ".join(parts), flush=True)


def report_ratio(kind: str, client: str, runs: dict[str, list[dict[str, Any]]]) -> None:
    def median(server: str, key: str) -> float:
        return statistics.median(r[key] if key == "total_s" else r["server_cpu_s"]["total"] for r in runs[server])

    wall = median("reference", "total_s") / median("cortexdb", "total_s")
    cpu = median("reference", "cpu") / median("cortexdb", "cpu")
    ours, theirs = runs["cortexdb"][0]["digests"], runs["reference"][0]["digests"]
    differ = sorted(q for q in ours if ours[q] != theirs.get(q))
    share = statistics.median(r["client_cpu_s"] / r["total_s"] for r in runs["cortexdb"])
    print(f"{kind} {client}: cortexdb vs reference end to end {wall:.1f}x, server CPU {cpu:.1f}x; client CPU share "
          f"(cortexdb runs) {share:.0%}; search answers differing from the reference: {len(differ)} of {len(ours)}"
          f"{' (' + ', '.join(differ[:12]) + ')' if differ else ''}", flush=True)


if __name__ == "__main__":
    sys.exit(main())

"""MCP memory tools (cortexdb.mcp.MemoryTools, in process, no protocol) beside raw apsw.

Dataset: the mcp_bench workload (20,000 entities with 3 observations from a 5,000-word
vocabulary, 60,000 relations) imported from a memory.jsonl in setup. The raw baselines run on
their own apsw connection to the same files. The end-to-end comparison with the reference
server through the MCP client is scripts/mcp_bench.py.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import apsw
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import mcp_bench
from bench import Case

import cortexdb
from cortexdb.graph._common import _ADD_OBSERVATIONS
from cortexdb.mcp import MemoryTools, import_memory
from cortexdb.mcp.server import SERVING_CACHE_KIB
from cortexdb.mcp.tools import _INSERT_ENTITIES, _INSERT_RELATIONS, _RELATIONS_TOUCHING_FIRST


def cases(workdir: Path) -> list[Case]:
    work = mcp_bench.workload("narrow", 20_000, 60_000, 200)
    home = workdir / "mcp-store"
    source = workdir / "memory.jsonl"
    source.write_text("\n".join([json.dumps({"type": "entity", **e}) for e in work["entities"]] +
                                [json.dumps({"type": "relation", **r}) for r in work["relations"]]))
    db = cortexdb.open(home)
    if not db.execute("SELECT count(*) FROM tier2.graph_entities")[0][0]:
        import_memory(db, source)
        db.execute("ANALYZE tier2")
    db.execute(f"PRAGMA tier2.cache_size = -{SERVING_CACHE_KIB}")  # as a `cortexdb mcp` process runs, both sides
    tools = MemoryTools(db)
    raw = apsw.Connection(":memory:")
    raw.execute("PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY")
    raw.execute("ATTACH ? AS tier2", (str(home / "tier2.db"),))
    raw.execute(f"PRAGMA tier2.cache_size = -{SERVING_CACHE_KIB}")
    raw.execute("PRAGMA tier2.synchronous = NORMAL")  # as cortexdb runs the graph tier (no fsync per commit)
    words = itertools.cycle([q for q in work["queries"] if not q.startswith("entity-")])
    raw_words = itertools.cycle([q for q in work["queries"] if not q.startswith("entity-")])

    def raw_search(query: str, *, scan: bool) -> tuple[list, list]:
        """The same search_nodes result from hand-written SQL (trigram MATCH, or a LIKE scan)."""
        if scan:
            rows = raw.execute("SELECT id, name, kind FROM tier2.graph_entities WHERE name LIKE ?1 OR kind LIKE ?1 "
                               "OR body LIKE ?1 ORDER BY id", (f"%{query}%",)).fetchall()
        else:
            rows = raw.execute("SELECT e.id, e.name, e.kind FROM tier2.graph_substring s JOIN tier2.graph_entities e "
                               "ON e.id = s.rowid WHERE graph_substring MATCH ? ORDER BY s.rowid",
                               (f'"{query}"',)).fetchall()
        ids = json.dumps([r[0] for r in rows])
        obs: dict[int, list[str]] = {}
        for entity_id, content in raw.execute("SELECT entity_id, content FROM tier2.graph_observations WHERE "
                                              "entity_id IN (SELECT value FROM json_each(?)) ORDER BY id", (ids,)):
            obs.setdefault(entity_id, []).append(content)
        entities = [{"name": n, "entityType": k, "observations": obs.get(i, [])} for i, n, k in rows]
        return entities, raw.execute(_RELATIONS_TOUCHING_FIRST, (ids, 500_000)).fetchall()

    broad = itertools.cycle(mcp_bench.workload("broad", 20_000, 60_000, 100)["queries"])
    raw_broad = itertools.cycle(mcp_bench.workload("broad", 20_000, 60_000, 100)["queries"])

    def served_search(query: str) -> tuple[bytes, bytes]:
        """search_nodes as `cortexdb mcp` sends it: the text content as a JSON string, structuredContent."""
        graph = tools.search_nodes_json(query)
        return orjson.dumps(graph.text), graph.compact.encode()

    def raw_served_search(query: str) -> tuple[bytes, bytes]:
        """The same reply from rows: the first 1,000 matches, their observations and touching
        relations as Python dicts, encoded by orjson (compact, and indented for the text)."""
        rows = raw.execute("SELECT e.id, e.name, e.kind FROM tier2.graph_substring s JOIN tier2.graph_entities e "
                           "ON e.id = s.rowid WHERE graph_substring MATCH ? ORDER BY s.rowid LIMIT 1001",
                           (f'"{query}"',)).fetchall()
        page = rows[:1000]
        ids = json.dumps([r[0] for r in page])
        obs: dict[int, list[str]] = {}
        for entity_id, content in raw.execute("SELECT entity_id, content FROM tier2.graph_observations WHERE "
                                              "entity_id IN (SELECT value FROM json_each(?)) ORDER BY id", (ids,)):
            obs.setdefault(entity_id, []).append(content)
        value: dict = {"entities": [{"name": n, "entityType": k, "observations": obs.get(i, [])} for i, n, k in page],
                       "relations": [{"from": s, "to": t, "relationType": r}
                                     for s, t, r, _ in raw.execute(_RELATIONS_TOUCHING_FIRST, (ids, 500_000))]}
        if len(rows) > len(page):
            value["nextCursor"] = str(page[-1][0])
        return orjson.dumps(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()), orjson.dumps(value)

    counter = itertools.count()

    def batch(prefix: str) -> list[dict]:
        n = next(counter)
        return [dict(e, name=f"{prefix}{n}-{e['name']}") for e in work["entities"][:100]]

    def raw_create() -> None:
        """The same 100 entities + 300 observations, same statements, one transaction."""
        items = batch("raw")
        now = db.timestamp()
        raw.execute("BEGIN IMMEDIATE")
        first = raw.execute("SELECT coalesce(max(id), 0) + 1 FROM tier2.graph_entities").fetchone()[0]
        raw.execute("PRAGMA defer_foreign_keys = ON")
        raw.execute(_ADD_OBSERVATIONS, (json.dumps([(first + i, o) for i, e in enumerate(items) for o in e["observations"]]), now))
        raw.execute(_INSERT_ENTITIES, (json.dumps([(first + i, e["name"], e["entityType"]) for i, e in enumerate(items)]),
                                       "default", now))
        raw.execute("COMMIT")

    names = [e["name"] for e in work["entities"]]
    relation_batches = itertools.count()

    def new_relations() -> list[dict]:
        """100 relations not in the store yet: a fresh relation type per call."""
        n = next(relation_batches)
        pairs = [(names[(n * 7919 + i * 104_729) % len(names)], names[(n * 15_485_863 + i * 7) % len(names)])
                 for i in range(100)]
        return [{"from": a, "to": b, "relationType": f"bench_{n}"} for a, b in pairs if a != b]

    def raw_relate() -> None:
        """The same lookups and insert create_relations runs, one transaction."""
        rels = new_relations()
        raw.execute("BEGIN IMMEDIATE")
        ids = dict(raw.execute("SELECT name, id FROM tier2.graph_entities WHERE namespace = 'default' AND name IN "
                               "(SELECT value FROM json_each(?))", (json.dumps([n for r in rels for n in (r["from"], r["to"])]),)))
        keyed = [(ids[r["from"]], r["relationType"], ids[r["to"]]) for r in rels]
        inserted = set(raw.execute(_INSERT_RELATIONS, (json.dumps(keyed), db.timestamp())))
        raw.execute("COMMIT")
        assert len(inserted) == len(keyed)

    return [
        Case("search_nodes reply as the server sends it, a query matching 200-2,000 entities (JSON built by SQLite)",
             lambda: served_search(next(broad)), lambda: raw_served_search(next(raw_broad)),
             notes="the server's path beside rows -> dicts -> orjson"),
        Case("search_nodes, a vocabulary word (trigram index + observations + touching relations)",
             lambda: tools.search_nodes(next(words)), lambda: raw_search(next(raw_words), scan=False), target=2.0),
        Case("(info) search_nodes beside a raw LIKE scan of every entity (the reference's method)",
             lambda: tools.search_nodes(next(words)), lambda: raw_search(next(raw_words), scan=True),
             notes="ratio < 1: the trigram index beats scanning"),
        Case("create_entities, 100 new entities with 3 observations each", lambda: tools.create_entities(batch("c")),
             raw_create, ops=100, target=2.0),
        Case("create_relations, 100 new relations between existing entities",
             lambda: tools.create_relations(new_relations()), raw_relate, ops=100, target=2.0),
    ]

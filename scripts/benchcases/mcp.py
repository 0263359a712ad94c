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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import cortexdb  # noqa: E402
import mcp_bench  # noqa: E402
from bench import Case  # noqa: E402
from cortexdb.mcp import MemoryTools, import_memory  # noqa: E402
from cortexdb.mcp.tools import _INSERT_ENTITY, _INSERT_OBSERVATION  # noqa: E402

RELATIONS = ("SELECT s.name, t.name, r.relation_type FROM tier2.graph_relations r JOIN tier2.graph_entities s ON "
             "s.id = r.source_id JOIN tier2.graph_entities t ON t.id = r.target_id WHERE r.valid_to IS NULL AND "
             "(r.source_id IN (SELECT value FROM json_each(?1)) OR r.target_id IN (SELECT value FROM json_each(?1))) "
             "ORDER BY r.id")


def cases(workdir: Path) -> list[Case]:
    work = mcp_bench.workload(20_000, 60_000, 200)
    home = workdir / "mcp-store"
    source = workdir / "memory.jsonl"
    source.write_text("\n".join([json.dumps({"type": "entity", **e}) for e in work["entities"]] +
                                [json.dumps({"type": "relation", **r}) for r in work["relations"]]))
    db = cortexdb.open(home)
    if not db.execute("SELECT count(*) FROM tier2.graph_entities")[0][0]:
        import_memory(db, source)
        db.execute("ANALYZE tier2")
    tools = MemoryTools(db)
    raw = apsw.Connection(":memory:")
    raw.execute("PRAGMA foreign_keys = ON")
    raw.execute("ATTACH ? AS tier2", (str(home / "tier2.db"),))
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
        return entities, raw.execute(RELATIONS, (ids,)).fetchall()

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
        raw.executemany(_INSERT_OBSERVATION, [(first + i, o, now) for i, e in enumerate(items) for o in e["observations"]])
        raw.executemany(_INSERT_ENTITY, [(first + i, "default", e["name"], e["entityType"], now) for i, e in enumerate(items)])
        raw.execute("COMMIT")

    return [
        Case("search_nodes, a vocabulary word (trigram index + observations + touching relations)",
             lambda: tools.search_nodes(next(words)), lambda: raw_search(next(raw_words), scan=False), target=2.0),
        Case("(info) search_nodes beside a raw LIKE scan of every entity (the reference's method)",
             lambda: tools.search_nodes(next(words)), lambda: raw_search(next(raw_words), scan=True),
             notes="ratio < 1: the trigram index beats scanning"),
        Case("create_entities, 100 new entities with 3 observations each", lambda: tools.create_entities(batch("c")),
             raw_create, ops=100, target=2.0),
    ]

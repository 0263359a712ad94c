"""``cortexdb demo``: the main job end to end on a real store, growing as capabilities land.

Each step is a function taking the open store and an ``echo``; areas append theirs to STEPS.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .store import Store, open as open_store

Echo = Callable[[str], None]


def step_store(db: Store, echo: Echo) -> None:
    status = db.status()
    echo(f"opened store {status.store_id} at {status.home} (role {status.role})")
    for tier in status.tiers:
        echo(f"  {tier.name}: {len(tier.row_counts)} tables, schema "
             + ", ".join(f"{m}@{v}" for m, v in tier.schema_versions.items()))


def step_query(db: Store, echo: Echo) -> None:
    rows = db.query("SELECT tier, count(*) AS tables FROM cortexdb_schema WHERE type = 'table' GROUP BY tier")
    echo("read-only SQL across tiers: " + ", ".join(f"{r['tier']}={r['tables']} tables" for r in rows))
    try:
        db.query("DELETE FROM conversations")
    except Exception as error:  # noqa: BLE001 - showing the refusal is the point
        echo(f"a write through db.query is refused: {type(error).__name__}")


def step_graph(db: Store, echo: Echo) -> None:
    g = db.graph
    login = g.upsert_entity("web/login.ts", kind="file", properties={"lang": "ts"},
                            observations=["login fails on Safari", "sets the session cookie"])
    pr = g.upsert_entity("PR-12", kind="change", observations=["fix SameSite cookie for Safari"])
    pg = g.upsert_entity("app-db", kind="database", properties={"engine": "postgresql"})
    pattern = g.add_pattern("cookie-samesite", "Set SameSite on session cookies",
                            "Safari drops cookies without SameSite", "solution", confidence=0.8)
    g.relate(login, "fixed_by", pr, strength=0.9)
    g.relate(login, "reads", pg)
    g.relate(pattern, "applies_to", login)
    echo(f"knowledge graph: {len(g.find(limit=1000))} nodes; search 'safari cookie' ->")
    for hit in g.search("safari cookie", limit=3):
        echo(f"  {hit.entity.kind:8} {hit.entity.name:16} {hit.snippet}")
    around = g.neighbors(pr, depth=2)
    echo("within 2 hops of PR-12: " + ", ".join(f"{n.entity.name} ({n.depth})" for n in around))
    path = g.shortest_path(pattern, pg, direction="both")
    if path:
        echo("path: " + " -> ".join(e.name for e in path.entities))
    echo("databases with engine=postgresql: " + ", ".join(e.name for e in g.find(where={"$.engine": "postgresql"})))


def step_lifecycle(db: Store, echo: Echo) -> None:
    import uuid

    cid = f"demo-{uuid.uuid4().hex[:8]}"
    with db.transaction():
        db.execute("INSERT INTO tier1.conversations (conversation_id, title, session_id, task_status) VALUES (?, ?, ?, 'done')",
                   (cid, "demo conversation", cid))
        db.execute("INSERT INTO tier1.messages (conversation_id, role, content) VALUES (?, 'user', 'hello archive')", (cid,))
    evaluation = db.retention.evaluate()
    echo(f"retention dry run: {len(evaluation.findings)} policies, {evaluation.violations} violation(s)")
    moved = db.archive.move("conversations", [cid])
    echo(f"archived {cid}: {moved.rows} rows moved to tier 3 (operation {moved.operations})")
    info = db.archive.export(f"demo-{uuid.uuid4().hex[:8]}", tables=["archived_conversations", "archived_messages"])
    echo(f"exported bundle {info.name}: {info.rows} rows, verify ok={db.archive.verify(info.path).ok}")
    db.archive.restore("conversations", [cid])
    report = db.health.review()
    echo(f"health review: {report.overall_status} (score {report.overall_score:.2f}, {len(report.issues)} issue(s))")


def step_mcp(db: Store, echo: Echo) -> None:
    import tempfile

    from .mcp import MemoryTools, export_graph, export_memory, import_memory

    tools = MemoryTools(db)   # what `cortexdb mcp` serves: the reference memory server's nine tools
    tools.create_entities([{"name": "Ada", "entityType": "person", "observations": ["prefers dark mode"]},
                           {"name": "cortexdb", "entityType": "project", "observations": ["stores agent memory"]}])
    tools.create_relations([{"from": "Ada", "to": "cortexdb", "relationType": "maintains"}])
    found = tools.search_nodes("DARK MO")
    echo(f"MCP search_nodes 'DARK MO': {[e['name'] for e in found['entities']]} + {len(found['relations'])} relation(s)")
    with tempfile.TemporaryDirectory() as tmp:
        exported = export_memory(db, f"{tmp}/memory.jsonl")
        again = import_memory(db, exported.path)
        echo(f"memory.jsonl: exported {exported.entities} entities / {exported.relations} relations; "
             f"re-import created {again.entities_created}, merged {again.entities_merged}")
    echo("graph export (mermaid, around Ada):")
    for line in export_graph(db, "mermaid", root="Ada", depth=1).splitlines():
        echo("  " + line)


STEPS: list[Callable[[Store, Echo], None]] = [step_store, step_query, step_graph, step_lifecycle, step_mcp]


def run_demo(home: Path, *, echo: Echo = print) -> None:
    """Open (creating) the store at ``home`` and run every demo step."""
    with open_store(home) as db:
        for step in STEPS:
            echo("")
            step(db, echo)

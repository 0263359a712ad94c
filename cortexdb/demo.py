"""``cortexdb demo``: the main job end to end on a real store, growing as capabilities land.

Each step is a function taking the open store and an ``echo``; areas append theirs to STEPS.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .store import Store
from .store import open as open_store

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
    except Exception as error:
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


def step_governance(db: Store, echo: Echo) -> None:
    from .governance import doctor

    workspace = db.home / "demo-workspace"
    workspace.mkdir(exist_ok=True)
    db.boundary.set_root(workspace)
    db.boundary.add_rule("deny", "**/.env")
    for path in ("src/app.py", "../../etc/passwd", "config/.env"):
        decision = db.boundary.check(path, "read")
        echo(f"boundary: read {path!r} -> {'allowed' if decision.allowed else 'denied'} ({decision.reason})")
    db.plugins.register("word-count", "Word count", "1.0", "demo", 10, ["on_note"], [],
                        lambda hook, context: {"words": len(str(context.get("text", "")).split())})
    (run,) = db.plugins.run_hook("on_note", {"text": "audited and hash chained"})
    echo(f"plugin word-count on_note -> {run.status} {run.result}")
    recorded = db.audit.record_decision("retention", "tier1.messages", "approved", decided_by="demo")
    try:
        db.execute("UPDATE tier0.governance_decisions SET decision = 'rejected' WHERE decision_id = ?",
                   (recorded.decision_id,))
    except Exception as error:
        echo(f"changing a governance decision is refused: {type(error).__name__}")
    report = db.audit.verify()
    echo("audit chains: " + ", ".join(f"{t.tier}={t.rows_checked} rows {'ok' if t.ok else 'BROKEN'}"
                                      for t in report.tiers))
    echo(f"doctor: {doctor.check(db).status}; role in force: {db.role}")


def step_memory(db: Store, echo: Echo) -> None:
    conv = db.conversations.start("Fix login bug", session_id="demo-session", metadata={"repo": "web"})
    conv.add_message("user", "login fails on Safari", metadata={"path": "web/login.ts"})
    conv.add_messages([("assistant", "Safari blocks the third-party session cookie; reading web/login.ts"),
                       ("user", "can we use a first-party cookie instead?")])
    conv.log_action(turn=1, action_type="retrieval", description="read web/login.ts", metadata={"lines": 120})
    conv.snapshot(turn=1, state={"open_files": ["web/login.ts"], "hypothesis": "cookie policy"})
    conv.set_status("in_progress")
    info = db.conversations.get(conv.conversation_id)
    echo(f"logged conversation {info.title!r}: {info.message_count} messages, status {info.task_status}")
    hits = db.conversations.search("safari cookie")
    echo(f"recalled by search('safari cookie'): {len(hits)} hit(s); best: {hits[0].snippet}" if hits else "no hits")
    latest = db.conversations.resume(conv.conversation_id).latest_snapshot()
    if latest is not None:
        echo(f"resumed at turn {latest.turn_number} with state {latest.state}")
    task = db.tasks.create("switch login to a first-party cookie", risk_tier=2)
    db.tasks.update_status(task.task_id, "running")
    db.tasks.add_progress(task.task_id, "plan", 40.0, "drafted")
    echo(f"task {task.task_id[:13]}… is {db.tasks.get(task.task_id).status}, "
         f"progress {db.tasks.progress(task.task_id)[-1].progress_percentage}%")
    db.memory.set("current_file", "web/login.ts", ttl=3600, namespace="ctx")
    echo(f"TTL memory ctx/current_file = {db.memory.get('current_file', namespace='ctx')!r} (expires in 1 h)")


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


STEPS: list[Callable[[Store, Echo], None]] = [step_store, step_query, step_memory, step_graph, step_lifecycle,
                                              step_governance, step_mcp]


def run_demo(home: Path, *, echo: Echo = print) -> None:
    """Open (creating) the store at ``home`` and run every demo step."""
    with open_store(home) as db:
        for step in STEPS:
            echo("")
            step(db, echo)

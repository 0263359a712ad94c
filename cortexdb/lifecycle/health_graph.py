"""Health checks for the knowledge graph's cross-tier state and for the governance audit chain.

Registered with :func:`.health.register_check` when :mod:`.health` is imported:

- ``graph_orphans``: archived graph nodes whose live copy also exists (an imported bundle of
  nodes restored since; the live row wins), archived graph rows whose node is nowhere, and
  ``graph_workspace_links`` pointing at workspace rows that no longer exist;
- ``audit_chain``: ``db.audit.verify()`` (a broken chain is critical; unsealed rows are sealed by
  the auto-fix; rows this store found unsealed when it was opened, after a crash, are reported).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .health import Issue, register_check

if TYPE_CHECKING:
    from ..store import Store

_NODE_CHILDREN = (("archived_graph_patterns", "entity_uuid"), ("archived_graph_observations", "entity_uuid"),
                  ("archived_graph_tags", "entity_uuid"), ("archived_graph_workspace_links", "pattern_uuid"))
_WORKSPACE = (("workspace_database", "workspace_databases"), ("workspace_api", "workspace_apis"),
              ("workspace_framework", "workspace_frameworks"))
_DUPLICATE = "FROM tier3.archived_graph_entities a WHERE EXISTS (SELECT 1 FROM tier2.graph_entities e WHERE e.uuid = a.uuid)"


def _exists(store: Store, schema: str, table: str) -> bool:
    return bool(store.execute(f"SELECT 1 FROM {schema}.sqlite_master WHERE type = 'table' AND name = ?", (table,)))


@register_check("graph_orphans", "database")
def check_graph_orphans(store: Store) -> list[Issue]:
    """Cross-tier orphans of the knowledge graph (see the module docstring)."""
    if not (_exists(store, "tier2", "graph_entities") and _exists(store, "tier3", "archived_graph_entities")):
        return []
    issues = []
    both = store.execute(f"SELECT count(*) {_DUPLICATE}")[0][0]
    if both and not store.archive.interrupted():  # an interrupted move legitimately has both sides
        def drop_archived_copies() -> str:
            with store.transaction():
                uuids = f"SELECT a.uuid {_DUPLICATE}"
                for table, column in _NODE_CHILDREN:
                    store.execute(f"DELETE FROM tier3.{table} WHERE {column} IN ({uuids})")
                store.execute("DELETE FROM tier3.archived_graph_relations WHERE uuid IN "
                              "(SELECT uuid FROM tier2.graph_relations)")
                store.execute(f"DELETE FROM tier3.archived_graph_entities WHERE uuid IN ({uuids})")
                return f"dropped the archived copies of {store.conn.changes()} live graph node(s)"
        issues.append(Issue("database", "medium", f"{both} archived graph nodes also exist live",
                            "the same uuid is in tier2.graph_entities and tier3.archived_graph_entities (typically a "
                            "bundle imported after the nodes were restored)", impact="archived search shows stale copies",
                            recommendation="drop the archived copies (the live rows win)", fix=drop_archived_copies))
    stray = 0
    for table, column in _NODE_CHILDREN:
        stray += store.execute(
            f"SELECT count(*) FROM tier3.{table} x WHERE NOT EXISTS (SELECT 1 FROM tier3.archived_graph_entities a "
            f"WHERE a.uuid = x.{column}) AND NOT EXISTS (SELECT 1 FROM tier2.graph_entities e WHERE e.uuid = x.{column})")[0][0]
    stray += store.execute(
        "SELECT count(*) FROM tier3.archived_graph_relations r WHERE "
        + " OR ".join(f"(NOT EXISTS (SELECT 1 FROM tier3.archived_graph_entities a WHERE a.uuid = r.{c}) AND NOT EXISTS "
                      f"(SELECT 1 FROM tier2.graph_entities e WHERE e.uuid = r.{c}))" for c in ("source_uuid", "target_uuid"))
    )[0][0]
    if stray:
        issues.append(Issue("database", "medium", f"{stray} archived graph rows belong to no node",
                            "their node (or a relation's endpoint) is neither live nor archived, so they can never be restored",
                            recommendation="import the bundle holding their nodes, or delete them"))
    dangling = " OR ".join(
        f"(l.object_entity_type = '{kind}' AND NOT EXISTS (SELECT 1 FROM tier2.{table} w WHERE w.id = l.object_entity_id))"
        for kind, table in _WORKSPACE)
    links = store.execute(f"SELECT count(*) FROM tier2.graph_workspace_links l WHERE {dangling}")[0][0]
    if links:
        def unlink() -> str:
            with store.transaction():
                store.execute(f"DELETE FROM tier2.graph_workspace_links WHERE id IN "
                              f"(SELECT l.id FROM tier2.graph_workspace_links l WHERE {dangling})")
                return f"deleted {store.conn.changes()} dangling workspace link(s)"
        issues.append(Issue("database", "medium", f"{links} graph workspace links point at missing discoveries",
                            "the workspace row was deleted or archived while the pattern was in the archive",
                            impact="add_relationship results name rows that do not exist",
                            recommendation="delete the links (what deleting a workspace row does)", fix=unlink))
    return issues


@register_check("audit_chain", "database")
def check_audit_chain(store: Store) -> list[Issue]:
    """The governance audit chains: a broken chain is critical (never auto-fixed); unsealed rows
    are an info issue whose fix seals them (``db.audit.seal()``; it refuses a broken chain)."""
    if not _exists(store, "tier0", "audit_seals"):
        return []
    report = store.audit.verify(seal=False, record=False)
    issues = []
    for tier in report.broken():
        brk = tier.first_break
        issues.append(Issue("database", "critical", f"{tier.tier} audit chain is broken",
                            f"first break at position {brk.position}: {brk.kind}: {brk.detail}" if brk else "",
                            impact="the audit history can no longer prove what happened",
                            recommendation="run `cortexdb audit verify`; restore the tier from backups/ and investigate"))
    at_open = store.audit.sealed_at_open
    if at_open:
        counts = ", ".join(f"{tier}: {rows}" for tier, rows in sorted(at_open.items()))
        issues.append(Issue("database", "low", f"{sum(at_open.values())} audit rows were found unsealed when the "
                            "store was opened, and sealed then",
                            f"{counts}; left by a cortexdb process that was killed, by one still running, or "
                            "written by another program; they were outside the chain until then",
                            impact="changes to them before that open cannot be detected",
                            recommendation="see the sealed_at_open EVENT rows (cortexdb audit log --key "
                                           "sealed_at_open); investigate if no process crashed"))
    unsealed = sum(t.unsealed for t in report.tiers if t.ok)
    if unsealed:
        def seal() -> str:
            sealed = store.audit.seal(strict=True)
            return f"sealed {sum(sealed.values())} audit row(s)"
        issues.append(Issue("database", "info", f"{unsealed} audit rows are not sealed yet",
                            "rows recorded since the last seal are not chained yet", fix=seal,
                            recommendation="cortexdb audit verify (seals them)"))
    return issues


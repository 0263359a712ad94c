"""The health self-review: a registry of small checks filling ``health_reports`` / ``health_issues``.

Each check is a function ``(store) -> list[Issue]`` registered with :func:`register_check` under a
category (database | performance | rule_compliance | tests | storage). An issue may carry a
``fix`` callable that repairs what is safe; ``review(auto_fix=True)`` runs it and records
``fix_applied``. Scores and ``overall_status`` are defined in docs/lifecycle.md and below.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._boundary import public_api
from .._sqlite import TIERS
from ..clock import to_timestamp
from ..errors import CortexError, ValidationError
from ..memory._common import limit as limit_value
from .maintenance import file_stats, fts_tables

if TYPE_CHECKING:
    from ..store import Store

Progress = Callable[[int, int], None] | None
CATEGORIES = ("database", "performance", "rule_compliance", "tests", "storage")
SEVERITIES = ("critical", "high", "medium", "low", "info")
PENALTY = {"critical": 1.0, "high": 0.4, "medium": 0.2, "low": 0.05, "info": 0.0}
"""Each unfixed issue takes this much off its category's score (floored at 0)."""
WEIGHTS = {"database": 0.30, "storage": 0.20, "performance": 0.15, "rule_compliance": 0.20, "tests": 0.15}
"""overall_score = sum(weight x category score); test_coverage_score stands for 'tests'."""
STATUS = ((0.90, "excellent"), (0.75, "good"), (0.60, "fair"), (0.40, "poor"), (0.0, "critical"))
"""overall_status by overall_score; any unfixed critical issue makes it 'critical' regardless."""
FRAGMENTATION_LIMIT = 0.25
WAL_LIMIT_MB = 64.0
STALE_DISCOVERY_DAYS = 30.0
STUCK_HOURS = 1.0
NO_POLICY_NEEDED = ("cortexdb_migrations", "store_identity", "retention_policies", "retention_rollups",
                    "retention_rollup_marks", "archival_operation_keys")


@dataclass
class Issue:
    """One finding. ``fix`` (not stored) repairs it when ``auto_fix`` is on."""

    category: str
    severity: str
    title: str
    description: str = ""
    impact: str | None = None
    recommendation: str | None = None
    fix: Callable[[], str] | None = field(default=None, repr=False)
    fix_applied: bool = False
    fix_description: str | None = None

    @property
    def auto_fixable(self) -> bool:
        return self.fix is not None


@dataclass(frozen=True)
class Check:
    name: str
    category: str
    run: Callable[[Store], list[Issue]]


@dataclass(frozen=True)
class HealthReport:
    """A stored review: the seed's scores, status and issues."""

    id: int
    created_at: str
    overall_status: str
    overall_score: float
    database_score: float
    performance_score: float
    rule_compliance_score: float
    test_coverage_score: float
    storage_score: float
    auto_fixable_count: int
    fixed_count: int
    issues: list[dict[str, Any]]
    checks_run: int
    checks_registered: int

    @property
    def critical(self) -> bool:
        return self.overall_status == "critical"


CHECKS: dict[str, Check] = {}


def register_check(name: str, category: str) -> Callable[[Callable[[Store], list[Issue]]], Callable[[Store], list[Issue]]]:
    """Decorator adding a check to the review (replacing one of the same name)."""
    if category not in CATEGORIES:
        raise ValidationError("category", f"must be one of {', '.join(CATEGORIES)}")

    def add(func: Callable[[Store], list[Issue]]) -> Callable[[Store], list[Issue]]:
        CHECKS[name] = Check(name, category, func)
        return func
    return add


@public_api
class HealthReview:
    """``db.health``: run the review, read past reports."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def review(self, *, auto_fix: bool = False, progress: Progress = None) -> HealthReport:
        """Run every registered check, apply safe fixes if ``auto_fix``, store and return the report."""
        store = self._store
        store.require_writable()
        issues: list[Issue] = []
        ran = 0
        checks = list(CHECKS.values())
        for index, check in enumerate(checks):
            try:
                found = check.run(store)
                ran += 1
            except CortexError as error:
                found = [Issue("tests", "low", f"check {check.name} could not run", str(error),
                               recommendation="see the error; the check is skipped until it can run")]
            issues.extend(found)
            if progress:
                progress(index + 1, len(checks) + (1 if auto_fix else 0))
        if auto_fix:
            for issue in issues:
                if issue.fix is not None:
                    try:
                        issue.fix_description = issue.fix()
                        issue.fix_applied = True
                    except CortexError as error:
                        issue.fix_description = f"fix failed: {error}"
            if progress:
                progress(len(checks) + 1, len(checks) + 1)
        scores = {c: 1.0 for c in CATEGORIES}
        for issue in issues:
            if not issue.fix_applied:
                scores[issue.category] = max(0.0, scores[issue.category] - PENALTY[issue.severity])
        scores["tests"] = min(scores["tests"], coverage(store, ran, len(checks)))
        overall = round(sum(WEIGHTS[c] * scores[c] for c in CATEGORIES), 4)
        status = next(label for floor, label in STATUS if overall >= floor)
        if any(i.severity == "critical" and not i.fix_applied for i in issues):
            status = "critical"
        return self._save(issues, scores, overall, status, ran, len(checks))

    def _save(self, issues: list[Issue], scores: dict[str, float], overall: float, status: str, ran: int, total: int) -> HealthReport:
        store = self._store
        now = store.timestamp()
        fixable = sum(i.auto_fixable for i in issues)
        fixed = sum(i.fix_applied for i in issues)
        rows = []
        with store.transaction():
            store.execute(
                "INSERT INTO tier3.health_reports (created_at, overall_status, overall_score, database_score, performance_score, "
                "rule_compliance_score, test_coverage_score, storage_score, auto_fixable_count, fixed_count) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (now, status, overall, scores["database"], scores["performance"], scores["rule_compliance"], scores["tests"],
                 scores["storage"], fixable, fixed))
            report_id = store.conn.last_insert_rowid()
            titles: set[str] = set()
            for issue in issues:
                title, n = issue.title, 2
                while title in titles:
                    title, n = f"{issue.title} ({n})", n + 1
                titles.add(title)
                store.execute(
                    "INSERT INTO tier3.health_issues (report_id, category, severity, title, description, auto_fixable, fix_applied, "
                    "fix_description, impact, recommendation, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (report_id, issue.category, issue.severity, title, issue.description, int(issue.auto_fixable),
                     int(issue.fix_applied), issue.fix_description, issue.impact, issue.recommendation, now))
                rows.append({"category": issue.category, "severity": issue.severity, "title": title,
                             "description": issue.description, "auto_fixable": issue.auto_fixable,
                             "fix_applied": issue.fix_applied, "fix_description": issue.fix_description,
                             "recommendation": issue.recommendation})
        return HealthReport(report_id, now, status, overall, scores["database"], scores["performance"],
                            scores["rule_compliance"], scores["tests"], scores["storage"], fixable, fixed, rows, ran, total)

    def reports(self, *, limit: int = 20) -> list[dict[str, Any]]:
        """Recent reports, newest first."""
        from .archive import dict_rows

        return dict_rows(self._store, "SELECT * FROM tier3.health_reports ORDER BY id DESC LIMIT ?", (limit_value(limit),))

    def issues(self, report_id: int) -> list[dict[str, Any]]:
        """The issues of one report."""
        from .archive import dict_rows

        return dict_rows(self._store, "SELECT * FROM tier3.health_issues WHERE report_id = ? ORDER BY id", (int(report_id),))


def data_tables(store: Store) -> list[str]:
    """Tables holding data that a retention policy should govern (not bookkeeping, archive or FTS)."""
    fts = {name for _s, name in fts_tables(store)}
    out = []
    for tier in TIERS:
        for (name,) in store.execute(f"SELECT name FROM {tier}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"):
            if name in NO_POLICY_NEEDED or name.startswith("archived_") or name in fts \
                    or any(name.startswith(f + "_") for f in fts):
                continue
            out.append(name)
    return out


def coverage(store: Store, ran: int, registered: int) -> float:
    """test_coverage_score: half the share of registered checks that ran, half the share of data
    tables governed by a retention policy."""
    tables = data_tables(store)
    governed = {p.table_name for p in store.retention.policies()}
    policy_share = sum(t in governed for t in tables) / len(tables) if tables else 1.0
    return round(0.5 * (ran / registered if registered else 1.0) + 0.5 * policy_share, 4)


# -- the checks -----------------------------------------------------------------------------------------

@register_check("integrity_check", "database")
def check_integrity(store: Store) -> list[Issue]:
    issues = []
    for tier in TIERS:
        result = [r[0] for r in store.execute(f"PRAGMA {tier}.integrity_check(20)")]
        if result != ["ok"]:
            issues.append(Issue("database", "critical", f"{tier} fails integrity_check", "; ".join(result[:5]),
                                impact="reads may return wrong data or fail", recommendation="restore the tier from backups/"))
    return issues


@register_check("foreign_key_check", "database")
def check_foreign_keys(store: Store) -> list[Issue]:
    issues = []
    for tier in TIERS:
        rows = store.execute(f"PRAGMA {tier}.foreign_key_check")
        if rows:
            tables = sorted({r[0] for r in rows})
            issues.append(Issue("database", "high", f"{tier} has {len(rows)} rows violating foreign keys",
                                f"tables: {', '.join(tables)}", impact="children whose parent is gone",
                                recommendation="inspect with PRAGMA foreign_key_check and delete or re-parent them"))
    return issues


@register_check("fts_integrity", "database")
def check_fts(store: Store) -> list[Issue]:
    issues = []
    for schema, name in fts_tables(store):
        try:
            with store.transaction():
                store.execute(f'INSERT INTO {schema}."{name}"("{name}", rank) VALUES (\'integrity-check\', 1)')
        except CortexError as error:
            def rebuild(schema: str = schema, name: str = name) -> str:
                with store.transaction():
                    store.execute(f'INSERT INTO {schema}."{name}"("{name}") VALUES (\'rebuild\')')
                return f"rebuilt FTS index {schema}.{name}"
            issues.append(Issue("database", "high", f"FTS index {schema}.{name} is inconsistent", str(error),
                                impact="search misses or returns wrong rows", recommendation="rebuild the index", fix=rebuild))
    return issues


STUCK_TASK_SECONDS = 3600.0
"""A task still ``running`` this long after it started is reported (seed 004's stuck-task check)."""


@register_check("stuck_tasks", "rule_compliance")
def check_stuck_tasks(store: Store) -> list[Issue]:
    cutoff = to_timestamp(store.now() - STUCK_TASK_SECONDS)
    rows = store.execute("SELECT task_id, started_at FROM tier1.tasks WHERE status = 'running' AND started_at < ? "
                         "ORDER BY started_at LIMIT 20", (cutoff,))
    if not rows:
        return []
    listed = ", ".join(f"{task_id} (since {started})" for task_id, started in rows[:5])
    return [Issue("rule_compliance", "medium", f"{len(rows)} task(s) running for over {STUCK_TASK_SECONDS / 3600:g} h",
                  listed, impact="work that may have died with its process",
                  recommendation="check the worker; mark them failed with db.tasks.update_status(id, 'failed')")]


@register_check("cross_tier_orphans", "database")
def check_orphans(store: Store) -> list[Issue]:
    issues = []
    stray = store.execute(
        "SELECT count(*) FROM tier3.archived_messages m WHERE NOT EXISTS (SELECT 1 FROM tier3.archived_conversations c "
        "WHERE c.conversation_id = m.conversation_id) AND NOT EXISTS (SELECT 1 FROM tier1.conversations c "
        "WHERE c.conversation_id = m.conversation_id)")[0][0]
    if stray:
        issues.append(Issue("database", "medium", f"{stray} archived messages belong to no conversation",
                            "their conversation is neither in tier 1 nor in the archive",
                            recommendation="import the bundle that holds their conversations, or delete them"))
    for table in ("conversation_actions", "conversation_state_snapshots"):
        left = store.execute(
            f"SELECT count(*) FROM tier1.{table} x WHERE EXISTS (SELECT 1 FROM tier3.archived_conversations c "
            f"WHERE c.session_id = x.session_id) AND NOT EXISTS (SELECT 1 FROM tier1.conversations c WHERE c.session_id = x.session_id)"
        )[0][0]
        if left:
            def move(table: str = table) -> str:
                keys = [r[0] for r in store.execute(
                    f"SELECT x.id FROM tier1.{table} x WHERE EXISTS (SELECT 1 FROM tier3.archived_conversations c "
                    f"WHERE c.session_id = x.session_id) AND NOT EXISTS (SELECT 1 FROM tier1.conversations c "
                    f"WHERE c.session_id = x.session_id)")]
                result = store.archive.move(table, keys)
                return f"archived {result.rows} {table} rows beside their conversations"
            issues.append(Issue("database", "medium", f"{left} tier-1 {table} rows belong to archived conversations",
                                "written after their conversation was archived", fix=move,
                                recommendation="archive them beside their conversation"))
    return issues


@register_check("interrupted_archival", "database")
def check_interrupted(store: Store) -> list[Issue]:
    ops = store.archive.interrupted()
    if not ops:
        return []

    def resume() -> str:
        return f"resumed {store.archive.resume()} archival operation(s)"
    return [Issue("database", "high", f"{len(ops)} archival operation(s) were interrupted",
                  "ops " + ", ".join(f"{o.id} ({o.kind} {o.group}, {o.state})" for o in ops[:10]),
                  impact="their rows are on both sides until resumed", recommendation="cortexdb archive run", fix=resume)]


@register_check("fragmentation_wal", "performance")
def check_fragmentation(store: Store) -> list[Issue]:
    issues = []
    for tier in TIERS:
        fragmentation, size_mb = file_stats(store, [tier])
        if fragmentation > FRAGMENTATION_LIMIT and size_mb > 1.0:
            def vacuum(tier: str = tier) -> str:
                result = store.maintenance.run(tier="tier3", files=[tier])
                return f"vacuumed {tier}: reclaimed {result.space_reclaimed_mb:.2f} MB"
            issues.append(Issue("performance", "medium", f"{tier} is {fragmentation:.0%} free pages",
                                f"{size_mb:.1f} MB file", impact="larger file, slower scans", fix=vacuum,
                                recommendation="cortexdb maintain --tier tier3"))
        wal = Path(str(store.home / f"{tier}.db") + "-wal")
        wal_mb = wal.stat().st_size / 1_048_576 if wal.exists() else 0.0
        if wal_mb > WAL_LIMIT_MB:
            def checkpoint(tier: str = tier) -> str:
                store.maintenance._wal_checkpoint([tier])
                return f"checkpointed {tier} WAL"
            issues.append(Issue("performance", "medium", f"{tier} WAL is {wal_mb:.0f} MB", impact="slower reads, disk use",
                                fix=checkpoint, recommendation="cortexdb maintain"))
    return issues


@register_check("storage", "storage")
def check_storage(store: Store) -> list[Issue]:
    issues = []
    cold = store.home / "cold"
    partials = list(cold.glob(".*.partial-*")) if cold.exists() else []
    dead = [p for p in partials if not _alive(p)]
    if dead:
        def sweep() -> str:
            import shutil

            for path in dead:
                shutil.rmtree(path, ignore_errors=True)
            return f"removed {len(dead)} unfinished bundle(s)"
        issues.append(Issue("storage", "low", f"{len(dead)} unfinished export(s) left in cold/",
                            "staging directories of exports that crashed (never valid bundles)", fix=sweep))
    tier1 = store.execute("SELECT count(*) FROM tier1.conversations")[0][0]
    try:
        cap = store.retention.get("conversations").keep_last_n
    except CortexError:
        cap = None
    if cap is not None and tier1 > cap:
        def apply_cap() -> str:
            report = store.retention.apply(actions=["capacity"])
            return f"archived {sum(f.affected for f in report.findings)} conversation(s)"
        issues.append(Issue("storage", "medium", f"tier 1 holds {tier1} conversations (cap {cap})",
                            "beyond the CORTEX tier-1 capacity", fix=apply_cap, recommendation="cortexdb retention apply"))
    return issues


@register_check("retention_violations", "rule_compliance")
def check_retention(store: Store) -> list[Issue]:
    issues = []
    report = store.retention.evaluate(record=False)
    for finding in report.findings:
        if finding.action in ("capacity", "cascade") or not (finding.age_violations or finding.count_violations):
            continue
        if finding.action == "keep":
            issues.append(Issue("rule_compliance", "info", f"{finding.table}: {finding.planned}"))
            continue

        def apply(table: str = finding.table) -> str:
            result = store.retention.apply(tables=[table])
            return "; ".join(f.done or "nothing" for f in result.findings)
        issues.append(Issue("rule_compliance", "low", f"{finding.table} violates its retention policy", finding.planned,
                            fix=apply, recommendation="cortexdb retention apply"))
    return issues


@register_check("stale_workspace_discoveries", "rule_compliance")
def check_stale_discoveries(store: Store) -> list[Issue]:
    cutoff = store.now() - STALE_DISCOVERY_DAYS * 86400
    issues = []
    for table in ("workspace_databases", "workspace_apis", "workspace_frameworks"):
        n = store.execute(f"SELECT count(*) FROM tier2.{table} WHERE coalesce(last_verified, discovered_at) < ?", (cutoff,))[0][0]
        if n:
            issues.append(Issue("rule_compliance", "low", f"{n} {table} rows not verified in {STALE_DISCOVERY_DAYS:g} days",
                                impact="generated code may target things that changed",
                                recommendation="re-run workspace discovery to re-verify them"))
    return issues


@register_check("stuck_running", "rule_compliance")
def check_stuck(store: Store) -> list[Issue]:
    """Maintenance runs and plugin hook executions still 'running' long after they started."""
    cutoff = to_timestamp(store.now() - STUCK_HOURS * 3600)
    issues = []
    for table, column in (("tier3.maintenance_runs", "started_at"), ("tier0.plugin_hook_executions", "started_at")):
        n = store.execute(f"SELECT count(*) FROM {table} WHERE status = 'running' AND {column} < ?", (cutoff,))[0][0]
        if n:
            def mark(table: str = table, column: str = column) -> str:
                with store.transaction():
                    store.execute(f"UPDATE {table} SET status = 'failed', error_message = 'interrupted (found by health review)' "
                                  f"WHERE status = 'running' AND {column} < ?", (cutoff,))
                    return f"marked {store.conn.changes()} as failed"
            issues.append(Issue("rule_compliance", "low", f"{n} {table.split('.')[1]} rows stuck in 'running'",
                                f"started over {STUCK_HOURS:g} h ago; their process died", fix=mark))
    return issues


@register_check("retention_coverage", "tests")
def check_policy_coverage(store: Store) -> list[Issue]:
    governed = {p.table_name for p in store.retention.policies()}
    missing = [t for t in data_tables(store) if t not in governed]
    if not missing:
        return []
    return [Issue("tests", "info", f"{len(missing)} tables have no retention policy", ", ".join(sorted(missing)),
                  recommendation="add one with db.retention.set(table, tier=..., action=...)")]


def _alive(path: Path) -> bool:
    try:
        pid = int(path.name.rsplit(".partial-", 1)[1].split("-")[0])
        os.kill(pid, 0)
    except (IndexError, ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


# graph cross-tier orphans and the audit chain (registered on import; they use Issue / register_check)
from . import health_graph as _health_graph  # noqa: E402,F401

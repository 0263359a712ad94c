"""Retention: per-table policies in tier 0, a dry-run ``evaluate`` and an ``apply``, both
recorded in ``tier3.retention_policy_snapshots``.

Policies start as seed 001's retention table (:data:`DEFAULT_POLICIES`, inserted on first use)
and are edited with :meth:`RetentionManager.set`. Actions:

- ``delete``: rows over age (and matching ``condition``) are deleted (FK cascades take children);
- ``archive``: rows over age move to tier 3 through the archival protocol (``options.group``);
- ``keep_last_n``: only the newest ``keep_last_n`` rows per ``partition_by`` stay;
- ``aggregate_then_drop``: rows over age are summed into ``tier3.retention_rollups`` per UTC day and
  ``options.group_by``, then deleted (a high-water mark makes a retried drop never double count);
- ``export_before_purge``: rows over age (``options.export_where`` narrows what is exported) are
  written to a verified cold-storage bundle, then deleted;
- ``mark``: rows over age (and matching ``condition``) get the column values of ``options.set``
  (rows already holding them are not counted), e.g. finished tasks becoming ``archived``;
- ``compress``: rows over age get ``options.column`` zstd-compressed into ``options.into`` (a BLOB),
  the column set NULL and ``options.flag`` set 1 (give the policy ``condition`` ``{flag: 0}``);
- ``downsample``: metric rows are replaced by per-bucket aggregates, step by step: ``options.steps``
  ``[[days, "hour"], [days, "day"]]`` rolls rows older than ``days`` (and finer than the step) into one
  row per hour or day and ``options.group_by``, averaging ``options.averages`` weighted by
  ``options.weight`` (a sample count column), summing ``options.sums``, and marking the new row's
  ``options.granularity_column``; only whole buckets older than the cutoff are rolled up;
- ``cascade``: governed by the parent table's policy; ``keep``: reported, never acted on;
- ``capacity`` (the CORTEX tier-1 rule): at most ``keep_last_n`` live conversations (default 20);
  beyond that the oldest inactive ones (task done, or no activity for ``max_age_days``; by
  ``last_updated``) are archived with their messages, actions and snapshots. A conversation whose
  task is open or in progress is never evicted.

``options.age_days_from`` (``{"table", "key", "column"}``, a table in the same tier) makes the age
limit per row: the referenced row's column (e.g. a source's ``retention_days``), else ``max_age_days``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from .._boundary import public_api
from .._json import dumps, loads
from ..clock import to_timestamp
from ..errors import CortexError, NotFoundError, ValidationError
from ..memory._common import integer, number
from .groups import get_group, ident

if TYPE_CHECKING:
    from ..store import Store

Progress = Callable[[int, int], None] | None
ACTIONS = ("delete", "archive", "keep_last_n", "aggregate_then_drop", "export_before_purge", "cascade", "capacity", "keep",
           "mark", "compress", "downsample")
GRANULARITY = {"hour": "%Y-%m-%d %H:00:00.000", "day": "%Y-%m-%d 00:00:00.000"}
DAY = 86400.0
MAX_AGE_DAYS = 365_000
"""The longest age a policy may keep (1,000 years): older cutoffs fall before the calendar."""
_WS = {"time_fallback": "discovered_at"}

DEFAULT_POLICIES: list[dict[str, Any]] = [
    dict(table_name="health_reports", tier="tier3", action="delete", max_age_days=180, time_column="created_at",
         description="Keep 180 days; delete older rows (cascade handles issues)"),
    dict(table_name="health_issues", tier="tier3", action="cascade", options={"parent": "health_reports"},
         description="Cascade with reports; no direct retention"),
    dict(table_name="maintenance_runs", tier="tier3", action="aggregate_then_drop", max_age_days=90, time_column="started_at",
         options={"group_by": ["tier"], "measures": ["speedup", "space_reclaimed_mb", "fragmentation_before",
                                                     "fragmentation_after"], "count_by": "status"},
         description="Aggregate stats beyond 90 days, drop detail"),
    dict(table_name="archival_operations", tier="tier3", action="export_before_purge", max_age_days=180,
         time_column="started_at", condition={"state": "done"},
         description="Keep 180 days for audit; export to cold storage before purge"),
    dict(table_name="retention_policy_snapshots", tier="tier3", action="delete", max_age_days=90, time_column="created_at",
         description="Only recent evaluation context needed"),
    dict(table_name="creation_sessions", tier="tier1", action="delete", max_age_days=30, time_column="last_update",
         condition={"completed": 1}, description="Complete and older than 30 days: delete with chunks cascade"),
    dict(table_name="creation_chunks", tier="tier1", action="cascade", options={"parent": "creation_sessions"},
         description="Cascade with creation sessions"),
    dict(table_name="plugin_hook_executions", tier="tier0", action="aggregate_then_drop", max_age_days=30,
         time_column="started_at", options={"group_by": ["plugin_id", "hook"], "measures": ["duration_ms"], "count_by": "status"},
         description="Summarize performance metrics in a rollup, drop detail after 30 days"),
    dict(table_name="conversation_actions", tier="tier1", action="archive", max_age_days=60, time_column="created_at",
         options={"group": "conversation_actions"}, description="60 days in tier 1, then archive to tier 3"),
    dict(table_name="conversation_state_snapshots", tier="tier1", action="keep_last_n", keep_last_n=5,
         partition_by="session_id", time_column="turn_number", description="Last 5 per session; delete older snapshots"),
    dict(table_name="boundary_events", tier="tier3", action="export_before_purge", max_age_days=90, time_column="occurred_at",
         options={"export_where": {"allowed": 0}}, description="90 days; export denied events to cold storage before purge"),
    dict(table_name="provenance_links", tier="tier2", action="archive", max_age_days=365, time_column="created_at",
         options={"group": "provenance_links"}, description="Needed for audit: archive rows older than a year"),
    *[dict(table_name=t, tier="tier2", action="archive", max_age_days=365, time_column="last_verified", time_kind="epoch",
           options={"group": t, **_WS},
           description="Keep a year of workspace history; discoveries not verified for a year are archived")
      for t in ("workspace_databases", "workspace_apis", "workspace_frameworks")],
    dict(table_name="conversations", tier="tier1", action="capacity", keep_last_n=20, max_age_days=7, time_column="last_updated",
         options={"group": "conversations"},
         description="CORTEX tier-1 cap: at most 20 live conversations; beyond that the oldest inactive "
                     "(done, or idle 7 days) are archived with messages, actions and snapshots"),
    dict(table_name="messages", tier="tier1", action="cascade", options={"parent": "conversations"},
         description="Move with their conversation"),
    # Seed 002's cleanup_old_tasks(): progress and artifacts go after 90 days; tasks themselves stay
    # (their status history is audited), moving to 'archived' through db.tasks.update_status.
    dict(table_name="task_progress", tier="tier1", action="delete", max_age_days=90, time_column="created_at",
         description="Seed 002: delete progress updates older than 90 days"),
    dict(table_name="task_artifacts", tier="tier1", action="delete", max_age_days=90, time_column="created_at",
         description="Seed 002: delete artifacts older than 90 days"),
    dict(table_name="tasks", tier="tier1", action="keep",
         description="Kept; finished tasks are marked archived (seed 002), their audit rows hold the history"),
    dict(table_name="structured_memory", tier="tier1", action="delete", max_age_days=0, time_column="expires_at",
         time_kind="epoch", description="TTL memory: entries past their expiry are deleted"),
    # LangGraph (cortexdb.langgraph). CortexSaver reads keep_last_n of langgraph_checkpoints when it
    # is created and enforces it on every put (the engine itself never acts on a "keep" policy).
    dict(table_name="langgraph_checkpoints", tier="tier1", action="keep", keep_last_n=20,
         description="CortexSaver keeps the newest 20 checkpoints per thread and namespace (plus the ancestors "
                     "their delta channels replay), pruned as checkpoints are written"),
    dict(table_name="langgraph_writes", tier="tier1", action="cascade", options={"parent": "langgraph_checkpoints"},
         description="Pending writes go with their checkpoint"),
    dict(table_name="langgraph_threads", tier="tier1", action="archive", max_age_days=30, time_column="updated_at",
         options={"group": "langgraph_threads"},
         description="Threads idle 30 days are archived to tier 3 with their checkpoints and writes"),
    dict(table_name="langgraph_store", tier="tier1", action="delete", max_age_days=0, time_column="expires_at",
         time_kind="epoch", description="CortexStore items past their TTL are deleted"),
]


def register_default_policy(**spec: Any) -> None:
    """Add a default policy (for a schema pack's tables); inserted on a store's next use of
    ``db.retention`` if that table has no policy yet. Takes :class:`Policy` fields."""
    Policy(**spec)  # validates the field names
    DEFAULT_POLICIES[:] = [p for p in DEFAULT_POLICIES if p["table_name"] != spec["table_name"]] + [spec]


_COLUMNS = ("id", "table_name", "tier", "action", "max_age_days", "keep_last_n", "partition_by", "time_column", "time_kind",
            "condition_json", "options_json", "description", "module", "enabled", "updated_at")


@dataclass(frozen=True)
class Policy:
    """One retention policy row (see the module docstring for the actions)."""

    table_name: str
    tier: str
    action: str
    max_age_days: float | None = None
    keep_last_n: int | None = None
    partition_by: str | None = None
    time_column: str | None = None
    time_kind: str = "text"
    condition: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    description: str | None = None
    module: str = "cortex"
    enabled: bool = True
    id: int | None = None
    updated_at: str | None = None


@dataclass(frozen=True)
class Finding:
    """What a policy finds (evaluate) or did (apply) on its table."""

    table: str
    tier: str
    action: str
    rows: int
    age_violations: int
    count_violations: int
    planned: str
    done: str | None = None
    affected: int = 0
    skipped: str | None = None


@dataclass(frozen=True)
class RetentionReport:
    """The findings of one evaluate/apply and the snapshot rows recording it."""

    dry_run: bool
    findings: list[Finding]
    snapshot_ids: list[int]

    @property
    def violations(self) -> int:
        return sum(f.age_violations + f.count_violations for f in self.findings)


@public_api
class RetentionManager:
    """``db.retention``: policies, ``evaluate()`` (dry run) and ``apply()``."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._seeded = False

    # -- policies -------------------------------------------------------------------------------------
    def ensure_defaults(self) -> None:
        """Insert seed 001's policies that are missing (never overwriting edited ones)."""
        if self._seeded or self._store.readonly:
            self._seeded = True
            return
        existing = {r[0] for r in self._store.execute("SELECT table_name FROM tier0.retention_policies")}
        missing = [p for p in DEFAULT_POLICIES if p["table_name"] not in existing]
        if missing:
            with self._store.transaction():
                for spec in missing:
                    self._write(Policy(**spec), insert=True)
        self._seeded = True

    def policies(self, *, enabled_only: bool = False) -> list[Policy]:
        """Every policy, ordered by tier then table."""
        self.ensure_defaults()
        rows = self._store.execute(f"SELECT {', '.join(_COLUMNS)} FROM tier0.retention_policies "
                                   + ("WHERE enabled = 1 " if enabled_only else "") + "ORDER BY tier, table_name")
        return [_policy(r) for r in rows]

    def get(self, table: str) -> Policy:
        """The policy governing ``table``."""
        for policy in self.policies():
            if policy.table_name == table:
                return policy
        raise NotFoundError(f"no retention policy for table {table!r}; add one with db.retention.set()")

    def set(self, table: str, *, tier: str | None = None, action: str | None = None, max_age_days: float | None = None,
            keep_last_n: int | None = None, partition_by: str | None = None, time_column: str | None = None,
            time_kind: str | None = None, condition: dict[str, Any] | None = None, options: dict[str, Any] | None = None,
            description: str | None = None, enabled: bool | None = None) -> Policy:
        """Create or change the policy of ``table``; unspecified fields keep their value."""
        self.ensure_defaults()
        try:
            current = asdict(self.get(table))
        except NotFoundError:
            if tier is None or action is None:
                raise ValidationError("tier", f"a new policy for {table!r} needs tier= and action=") from None
            current = asdict(Policy(table_name=table, tier=tier, action=action))
        changes = dict(tier=tier, action=action, max_age_days=max_age_days, keep_last_n=keep_last_n, partition_by=partition_by,
                       time_column=time_column, time_kind=time_kind, condition=condition, options=options,
                       description=description, enabled=enabled)
        current.update({k: v for k, v in changes.items() if v is not None})
        policy = Policy(**current)
        self._validate(policy)
        with self._store.transaction():
            self._write(policy, insert=policy.id is None)
        return self.get(table)

    def _write(self, policy: Policy, *, insert: bool) -> None:
        values = (policy.tier, policy.action, policy.max_age_days, policy.keep_last_n, policy.partition_by, policy.time_column,
                  policy.time_kind, dumps(policy.condition, field="condition"), dumps(policy.options, field="options"),
                  policy.description, policy.module, int(policy.enabled), self._store.timestamp())
        if insert:
            self._store.execute(
                "INSERT INTO tier0.retention_policies (tier, action, max_age_days, keep_last_n, partition_by, time_column, "
                "time_kind, condition_json, options_json, description, module, enabled, updated_at, table_name) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (*values, policy.table_name))
        else:
            self._store.execute(
                "UPDATE tier0.retention_policies SET tier = ?, action = ?, max_age_days = ?, keep_last_n = ?, partition_by = ?, "
                "time_column = ?, time_kind = ?, condition_json = ?, options_json = ?, description = ?, module = ?, enabled = ?, "
                "updated_at = ? WHERE table_name = ?", (*values, policy.table_name))

    def _validate(self, policy: Policy) -> None:
        ident(policy.table_name, "table")
        if policy.tier not in ("tier0", "tier1", "tier2", "tier3"):
            raise ValidationError("tier", "must be tier0..tier3")
        if policy.action not in ACTIONS:
            raise ValidationError("action", f"must be one of {', '.join(ACTIONS)}")
        if policy.time_kind not in ("text", "epoch"):
            raise ValidationError("time_kind", "must be 'text' or 'epoch'")
        if policy.max_age_days is not None:
            number("max_age_days", policy.max_age_days, minimum=0, maximum=MAX_AGE_DAYS)
        if policy.keep_last_n is not None:
            integer("keep_last_n", policy.keep_last_n, minimum=0, maximum=2**63 - 1)
        if policy.action in ("keep_last_n", "capacity") and policy.keep_last_n is None:
            raise ValidationError("keep_last_n", f"action {policy.action} needs keep_last_n")
        if policy.action == "mark" and (not isinstance(policy.options.get("set"), dict) or not policy.options["set"]):
            raise ValidationError("options", "action mark needs options.set: {column: value, ...}")
        if policy.action in ("delete", "archive", "aggregate_then_drop", "export_before_purge", "mark", "compress",
                             "downsample") and (
                policy.max_age_days is None or not policy.time_column):
            raise ValidationError("max_age_days", f"action {policy.action} needs max_age_days and time_column")
        if policy.action in ("archive", "capacity"):
            get_group(policy.options.get("group", policy.table_name))
        columns = self._columns(policy)
        if columns:
            named = [policy.time_column, policy.partition_by, *policy.condition, *policy.options.get("group_by", []),
                     *policy.options.get("measures", []), policy.options.get("count_by"), policy.options.get("time_fallback"),
                     *policy.options.get("export_where", {}), *policy.options.get("set", {}), *self._pack_columns(policy)]
            for column in filter(None, named):
                if column not in columns:
                    raise ValidationError("column", f"{policy.table_name} has no column {column!r}")
        for value in [*policy.condition.values(), *policy.options.get("export_where", {}).values(),
                      *policy.options.get("set", {}).values()]:
            if not isinstance(value, (str, int, float)) or isinstance(value, bool):
                raise ValidationError("condition", "values must be strings or numbers")

    @staticmethod
    def _pack_columns(policy: Policy) -> list[str]:
        """Columns named by the compress / downsample options (checked to exist, validated as identifiers)."""
        options = policy.options
        if policy.action == "compress":
            named = [options.get("column"), options.get("into"), options.get("flag")]
            if not all(isinstance(n, str) for n in named):
                raise ValidationError("options", "action compress needs options.column, options.into and options.flag")
            return [str(n) for n in named]
        if policy.action == "downsample":
            steps = options.get("steps")
            if not isinstance(steps, list) or not steps or not all(
                    isinstance(s, list) and len(s) == 2 and isinstance(s[0], (int, float)) and not isinstance(s[0], bool)
                    and s[1] in GRANULARITY for s in steps):
                raise ValidationError("options", 'action downsample needs options.steps like [[7, "hour"], [30, "day"]]')
            named = [options.get("granularity_column"), options.get("weight"), *options.get("group_by", []),
                     *options.get("averages", []), *options.get("sums", [])]
            if not all(isinstance(n, str) for n in named):
                raise ValidationError("options", "action downsample needs granularity_column and weight column names")
            return [str(n) for n in named]
        return []

    def _columns(self, policy: Policy) -> list[str]:
        return [r[1] for r in self._store.execute(f"PRAGMA {policy.tier}.table_info({ident(policy.table_name, 'table')})")]

    # -- evaluate / apply -----------------------------------------------------------------------------
    def evaluate(self, *, record: bool = True) -> RetentionReport:
        """Dry run: per policy, rows over age or count and what apply would do. Recorded as one
        ``retention_policy_snapshots`` row per tier (``actions_taken`` NULL) unless ``record=False``."""
        policies = self.policies(enabled_only=True)
        findings = [self._evaluate(p) for p in policies]
        ids = self._record(policies, findings, applied=False) if record and not self._store.readonly else []
        return RetentionReport(True, findings, ids)

    def apply(self, *, actions: Iterable[str] | None = None, tables: Iterable[str] | None = None,
              progress: Progress = None) -> RetentionReport:
        """Carry out the policies (optionally only some ``actions`` / ``tables``) and record each
        tier's ``actions_taken``."""
        self._store.require_writable()
        wanted_actions = set(actions) if actions is not None else None
        wanted_tables = set(tables) if tables is not None else None
        policies = [p for p in self.policies(enabled_only=True)
                    if (wanted_actions is None or p.action in wanted_actions)
                    and (wanted_tables is None or p.table_name in wanted_tables)]
        findings = []
        for index, policy in enumerate(policies):
            try:
                findings.append(self._apply(policy))
            except CortexError as error:  # one failing policy does not stop the others; it is recorded
                findings.append(Finding(policy.table_name, policy.tier, policy.action, 0, 0, 0, "?", f"failed: {error}"))
            if progress:
                progress(index + 1, len(policies))
        return RetentionReport(False, findings, self._record(policies, findings, applied=True))

    def _record(self, policies: list[Policy], findings: list[Finding], *, applied: bool) -> list[int]:
        ids = []
        with self._store.transaction():
            for tier in sorted({p.tier for p in policies}):
                mine = [(p, f) for p, f in zip(policies, findings, strict=True) if p.tier == tier]
                age = sum(f.age_violations for _, f in mine)
                count = sum(f.count_violations for _, f in mine)
                taken = [{"table": f.table, "action": f.action, "done": f.done, "rows": f.affected}
                         for _, f in mine if f.done] if applied else None
                self._store.execute(
                    "INSERT INTO tier3.retention_policy_snapshots (created_at, tier, policy_json, violations_count, "
                    "age_violations, count_violations, actions_taken) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (self._store.timestamp(), tier, dumps({"policies": [_plain(p) for p, _ in mine],
                                                           "findings": [asdict(f) for _, f in mine]}),
                     age + count, age, count, None if taken is None else dumps(taken)))
                ids.append(self._store.conn.last_insert_rowid())
        return ids

    # -- per action -----------------------------------------------------------------------------------
    def _target(self, policy: Policy) -> str:
        return f"{policy.tier}.{ident(policy.table_name, 'table')}"

    def _exists(self, policy: Policy) -> bool:
        return bool(self._columns(policy))

    def _old(self, policy: Policy) -> tuple[str, list[Any]]:
        """SQL condition (and params) for rows over age that match the policy's condition."""
        clauses, params = [], []
        for column, value in policy.condition.items():
            clauses.append(f"{ident(column, 'condition')} = ?")
            params.append(value)
        if policy.max_age_days is not None and policy.time_column:
            column = ident(policy.time_column, "time_column")
            fallback = policy.options.get("time_fallback")
            expr = f"coalesce({column}, {ident(fallback, 'time_fallback')})" if fallback else column
            cutoff = self._store.now() - policy.max_age_days * DAY
            source = policy.options.get("age_days_from")
            if source and policy.time_kind == "text":
                ref = f"{policy.tier}.{ident(source['table'], 'age_days_from')}"
                own = f"{ident(policy.table_name, 'table')}.{ident(source['key'], 'age_days_from')}"
                days = (f"coalesce((SELECT {ident(source['column'], 'age_days_from')} FROM {ref} AS ref "
                        f"WHERE ref.{ident(source['key'], 'age_days_from')} = {own}), ?)")
                clauses.append(f"{expr} < strftime('%Y-%m-%d %H:%M:%f', ? - {days} * {DAY}, 'unixepoch')")
                params += [self._store.now(), policy.max_age_days]
            else:
                clauses.append(f"{expr} < ?")
                params.append(cutoff if policy.time_kind == "epoch" else to_timestamp(cutoff))
        if policy.action == "mark":
            marks = policy.options.get("set", {})
            clauses.append("NOT (" + " AND ".join(f"{ident(c, 'set')} IS ?" for c in marks) + ")")
            params += list(marks.values())
        return (" AND ".join(clauses) or "1"), params

    def _count(self, policy: Policy, where: str = "1", params: list[Any] | None = None) -> int:
        return self._store.execute(f"SELECT count(*) FROM {self._target(policy)} WHERE {where}", params or [])[0][0]

    def _excess_sql(self, policy: Policy) -> tuple[str, list[Any]]:
        """keep_last_n: SELECT of the rowids beyond the newest N per partition."""
        where, params = self._old(policy.__class__(**{**asdict(policy), "max_age_days": None}))
        part = f"PARTITION BY {ident(policy.partition_by, 'partition_by')} " if policy.partition_by else ""
        order = ident(policy.time_column or "rowid", "time_column")
        return (f"SELECT rid FROM (SELECT rowid AS rid, row_number() OVER ({part}ORDER BY {order} DESC, rowid DESC) AS rn "
                f"FROM {self._target(policy)} WHERE {where}) WHERE rn > ?", [*params, policy.keep_last_n])

    def _capacity_candidates(self, policy: Policy) -> tuple[int, list[Any]]:
        """(excess live rows, keys to archive): oldest inactive, never open or in progress."""
        live = self._count(policy)
        excess = max(0, live - int(policy.keep_last_n or 0))
        if not excess:
            return 0, []
        group = get_group(policy.options.get("group", policy.table_name))
        cutoff = to_timestamp(self._store.now() - (policy.max_age_days or 0) * DAY)
        keys = [r[0] for r in self._store.execute(
            f"SELECT {group.key} FROM {self._target(policy)} "
            "WHERE coalesce(task_status, 'open') NOT IN ('open', 'in_progress') "
            "AND (task_status = 'done' OR max(last_updated, coalesce(last_action_at, last_updated)) < ?) "
            "ORDER BY last_updated, rowid LIMIT ?", (cutoff, excess))]
        return excess, keys

    def _evaluate(self, policy: Policy) -> Finding:
        if not self._exists(policy):
            return Finding(policy.table_name, policy.tier, policy.action, 0, 0, 0, "none", skipped="table not in this store")
        rows = self._count(policy)
        age = count = 0
        planned = "nothing"
        if policy.action == "capacity":
            count, keys = self._capacity_candidates(policy)
            planned = f"archive {len(keys)} of {count} conversations over the cap of {policy.keep_last_n}" if count else planned
        elif policy.action == "keep_last_n":
            sql, params = self._excess_sql(policy)
            count = self._store.execute(f"SELECT count(*) FROM ({sql})", params)[0][0]
            planned = f"delete {count} rows beyond the newest {policy.keep_last_n}" if count else planned
        elif policy.max_age_days is not None and policy.time_column:
            where, params = self._old(policy)
            age = self._count(policy, where, params)
            verb = {"delete": "delete", "archive": "archive", "mark": "mark", "aggregate_then_drop": "aggregate then drop",
                    "compress": "compress", "downsample": "downsample",
                    "export_before_purge": "export then purge", "keep": "report"}.get(policy.action, "leave")
            planned = f"{verb} {age} rows older than {policy.max_age_days:g} days" if age else planned
        return Finding(policy.table_name, policy.tier, policy.action, rows, age, count, planned)

    def _apply(self, policy: Policy) -> Finding:
        before = self._evaluate(policy)
        if before.skipped or before.planned == "nothing" or policy.action in ("cascade", "keep"):
            return before
        store, target = self._store, self._target(policy)
        affected, done = 0, None
        if policy.action == "capacity":
            _excess, keys = self._capacity_candidates(policy)
            result = store.archive.move(policy.options.get("group", policy.table_name), keys)
            affected, done = result.keys, f"archived {result.keys} (ops {result.operations})"
        elif policy.action == "keep_last_n":
            sql, params = self._excess_sql(policy)
            with store.transaction():
                store.execute(f"DELETE FROM {target} WHERE rowid IN ({sql})", params)
                affected = store.conn.changes()
            done = f"deleted {affected}"
        elif policy.action == "delete":
            where, params = self._old(policy)
            with store.transaction():
                store.execute(f"DELETE FROM {target} WHERE {where}", params)
                affected = store.conn.changes()
            done = f"deleted {affected}"
        elif policy.action == "mark":
            where, params = self._old(policy)
            marks = policy.options["set"]
            assignments = ", ".join(f"{ident(c, 'set')} = ?" for c in marks)
            with store.transaction():
                store.execute(f"UPDATE {target} SET {assignments} WHERE {where}", [*marks.values(), *params])
                affected = store.conn.changes()
            done = f"marked {affected}"
        elif policy.action == "archive":
            group = get_group(policy.options.get("group", policy.table_name))
            where, params = self._old(policy)
            keys = [r[0] for r in store.execute(f"SELECT {group.key} FROM {target} WHERE {where}", params)]
            result = store.archive.move(group.name, keys)
            affected, done = result.keys, f"archived {result.keys} (ops {result.operations})"
        elif policy.action == "export_before_purge":
            affected, done = self._export_then_purge(policy)
        elif policy.action == "aggregate_then_drop":
            affected, done = self._aggregate_then_drop(policy)
        elif policy.action == "compress":
            affected, done = self._compress(policy)
        elif policy.action == "downsample":
            affected, done = self._downsample(policy)
        return Finding(before.table, before.tier, before.action, before.rows, before.age_violations, before.count_violations,
                       before.planned, done, affected)

    def _export_then_purge(self, policy: Policy) -> tuple[int, str]:
        from .coldstore import Source, export_bundle, stamp

        store, target = self._store, self._target(policy)
        where, params = self._old(policy)
        export_where = dict(policy.options.get("export_where", {}))
        ewhere = where + "".join(f" AND {ident(c, 'export_where')} = ?" for c in export_where)
        eparams = params + list(export_where.values())
        bundle = None
        with store.transaction():  # export and purge see the same rows: nothing slips in between
            if self._count(policy, ewhere, eparams):
                info = export_bundle(store, f"{policy.table_name}-{stamp(store)}",
                                     sources=[Source(policy.tier, policy.table_name, ewhere, tuple(eparams))])
                bundle = info.name
            store.execute(f"DELETE FROM {target} WHERE {where}", params)
            affected = store.conn.changes()
        return affected, f"exported to {bundle}, purged {affected}" if bundle else f"purged {affected} (nothing to export)"

    def _aggregate_then_drop(self, policy: Policy) -> tuple[int, str]:
        """Roll up the contiguous run of old rows after the mark (tier 3, with the mark), then delete
        every row up to the mark (source tier). Crash-safe: the delete is retried, never re-counted."""
        store, target, table = self._store, self._target(policy), policy.table_name
        where, params = self._old(policy)
        mark_row = store.execute("SELECT last_id FROM tier3.retention_rollup_marks WHERE table_name = ?", (table,))
        mark = mark_row[0][0] if mark_row else 0
        young = store.execute(f"SELECT min(id) FROM {target} WHERE id > ? AND NOT ({where})", [mark, *params])[0][0]
        group_by = [ident(c, "group_by") for c in policy.options.get("group_by", [])]
        measures = [ident(c, "measures") for c in policy.options.get("measures", [])]
        count_by = policy.options.get("count_by")
        time_col = ident(policy.time_column or "", "time_column")
        cols = ["id", time_col, *group_by, *measures] + ([ident(count_by, "count_by")] if count_by else [])
        rows = store.execute(f"SELECT {', '.join(cols)} FROM {target} WHERE id > ? AND id < ? ORDER BY id",
                             (mark, young if young is not None else 2**62))
        if rows:
            buckets: dict[tuple[str, str], dict[str, Any]] = {}
            for row in rows:
                values = dict(zip(cols, row, strict=True))
                stamp = values[time_col]
                day = (to_timestamp(stamp) if isinstance(stamp, (int, float)) else str(stamp))[:10]
                key = (day, dumps({c: values[c] for c in group_by}))
                bucket = buckets.setdefault(key, {"rows": 0, "sum": {}, "n": {}, "count_by": {}})
                bucket["rows"] += 1
                for m in measures:
                    if isinstance(values[m], (int, float)):
                        bucket["sum"][m] = bucket["sum"].get(m, 0) + values[m]
                        bucket["n"][m] = bucket["n"].get(m, 0) + 1
                if count_by:
                    label = str(values[count_by])
                    bucket["count_by"][label] = bucket["count_by"].get(label, 0) + 1
            with store.transaction():
                for (day, gkey), bucket in buckets.items():
                    old = store.execute("SELECT row_count, stats_json FROM tier3.retention_rollups "
                                        "WHERE table_name = ? AND period = ? AND group_key = ?", (table, day, gkey))
                    if old:
                        stats = loads(old[0][1])
                        for part in ("sum", "n", "count_by"):
                            for k, v in bucket[part].items():
                                stats[part][k] = stats[part].get(k, 0) + v
                        total = old[0][0] + bucket["rows"]
                    else:
                        stats, total = {p: bucket[p] for p in ("sum", "n", "count_by")}, bucket["rows"]
                    store.execute(
                        "INSERT INTO tier3.retention_rollups (table_name, period, group_key, row_count, stats_json, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (table_name, period, group_key) DO UPDATE SET "
                        "row_count = excluded.row_count, stats_json = excluded.stats_json, updated_at = excluded.updated_at",
                        (table, day, gkey, total, dumps(stats), store.timestamp()))
                mark = rows[-1][0]
                store.execute("INSERT INTO tier3.retention_rollup_marks (table_name, last_id, updated_at) VALUES (?, ?, ?) "
                              "ON CONFLICT (table_name) DO UPDATE SET last_id = excluded.last_id, updated_at = excluded.updated_at",
                              (table, mark, store.timestamp()))
        with store.transaction():
            store.execute(f"DELETE FROM {target} WHERE id <= ?", (mark,))
            affected = store.conn.changes()
        return affected, f"rolled up {len(rows)} rows into retention_rollups, dropped {affected}"


    def _compress(self, policy: Policy) -> tuple[int, str]:
        """zstd-compress the column of rows over age into the BLOB column, flagging them, in one transaction."""
        import zstandard

        store, target = self._store, self._target(policy)
        column, into, flag = (ident(policy.options[k], k) for k in ("column", "into", "flag"))
        where, params = self._old(policy)
        compressor = zstandard.ZstdCompressor(level=9)
        with store.transaction():
            rows = store.execute(f"SELECT rowid, {column} FROM {target} WHERE {where} AND {column} IS NOT NULL", params)
            for rowid, value in rows:
                packed = compressor.compress(value.encode("utf-8") if isinstance(value, str) else bytes(value))
                store.execute(f"UPDATE {target} SET {into} = ?, {column} = NULL, {flag} = 1 WHERE rowid = ?", (packed, rowid))
        return len(rows), f"compressed {len(rows)}"

    def _downsample(self, policy: Policy) -> tuple[int, str]:
        """Replace rows finer than each step by one aggregate row per bucket and group (whole buckets only)."""
        store, target = self._store, self._target(policy)
        options = policy.options
        time_col = ident(policy.time_column or "", "time_column")
        gran = ident(options["granularity_column"], "granularity_column")
        weight = ident(options["weight"], "weight")
        group_by = [ident(c, "group_by") for c in options.get("group_by", [])]
        averages = [ident(c, "averages") for c in options.get("averages", [])]
        sums = [ident(c, "sums") for c in options.get("sums", [])]
        finer = ["raw"]
        affected = created = 0
        for days, level in options["steps"]:
            fmt = GRANULARITY[level]
            cutoff = to_timestamp(store.now() - float(days) * DAY)
            bucket = f"strftime('{fmt}', {time_col})"
            where = f"{gran} IN ({', '.join('?' * len(finer))}) AND {bucket} < strftime('{fmt}', ?)"
            params = [*finer, cutoff]
            cols = [*group_by, time_col, gran, weight, *averages, *sums]
            select = [*group_by, bucket, "?", f"sum({weight})",
                      *(f"sum({a} * {weight}) / sum(CASE WHEN {a} IS NOT NULL THEN {weight} END)" for a in averages),
                      *(f"sum({c})" for c in sums)]
            with store.transaction():
                store.execute(f"INSERT INTO {target} ({', '.join(cols)}) SELECT {', '.join(select)} FROM {target} "
                              f"WHERE {where} GROUP BY {', '.join([*group_by, bucket])}", [level, *params])
                created += store.conn.changes()
                store.execute(f"DELETE FROM {target} WHERE {where}", params)  # the new aggregates are not finer
                affected += store.conn.changes()
            finer.append(level)
        return affected, f"downsampled {affected} rows into {created} aggregates"


def _policy(row: tuple[Any, ...]) -> Policy:
    values = dict(zip(_COLUMNS, row, strict=True))
    return Policy(table_name=values["table_name"], tier=values["tier"], action=values["action"],
                  max_age_days=values["max_age_days"], keep_last_n=values["keep_last_n"], partition_by=values["partition_by"],
                  time_column=values["time_column"], time_kind=values["time_kind"], condition=loads(values["condition_json"]),
                  options=loads(values["options_json"]), description=values["description"], module=values["module"],
                  enabled=bool(values["enabled"]), id=values["id"], updated_at=values["updated_at"])


def _plain(policy: Policy) -> dict[str, Any]:
    out = asdict(policy)
    out.pop("updated_at", None)
    return out


__all__ = ["ACTIONS", "DEFAULT_POLICIES", "Finding", "Policy", "RetentionManager", "RetentionReport", "register_default_policy"]

"""Lifecycle commands: retention, archive (move, cold storage), maintain, health."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..lifecycle.retention import RetentionReport
from . import Context, main, pass_ctx
from ._errors import EXIT_NO, CliError
from ._output import Section, emit, emit_document, output_options, progress_bar

FINDING_COLUMNS = ["table", "action", "rows", "age_violations", "count_violations", "planned", "done"]


def _findings_section(report: RetentionReport, title: str) -> Section:
    return Section(title, report.findings, FINDING_COLUMNS)


def _findings(report: RetentionReport, title: str) -> None:
    emit_document(report, [_findings_section(report, title)],
                  notes=[f"recorded as retention_policy_snapshots {report.snapshot_ids}"])


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _bundle(ctx: Context, bundle: str) -> Path:
    """A bundle given as a path, or by the name `archive export` and `archive bundles` print."""
    from ..lifecycle.coldstore import default_cold_store

    path = Path(bundle)
    if path.is_dir():
        return path
    if "/" not in bundle:
        named = default_cold_store(ctx.store()).root / bundle
        if named.is_dir():
            return named
    raise CliError(f"no bundle {bundle!r}: not a directory, nor a bundle name in the store's cold/ directory; "
                   "see `cortexdb archive bundles`", kind="NotFound")


# -- retention -------------------------------------------------------------------------------------------

@main.group()
def retention() -> None:
    """Retention policies per table: list, edit, evaluate (dry run), apply."""


@retention.command("policies")
@output_options
@pass_ctx
def retention_policies(ctx: Context) -> None:
    """List every retention policy."""
    emit(ctx.store().retention.policies(), title="retention policies",
         columns=["table_name", "tier", "action", "max_age_days", "keep_last_n", "enabled", "description"])


@retention.command("set")
@click.argument("table")
@click.option("--tier", type=click.Choice(["tier0", "tier1", "tier2", "tier3"]), help="Tier of a new policy's table.")
@click.option("--action", help="delete|archive|keep_last_n|aggregate_then_drop|export_before_purge|cascade|capacity|keep.")
@click.option("--max-age-days", type=float, help="Rows older than this many days are over age.")
@click.option("--keep-last-n", type=int, help="keep_last_n: newest N per partition; capacity: the cap.")
@click.option("--time-column", help="Column giving a row's age.")
@click.option("--enable/--disable", "enabled", default=None, help="Turn the policy on or off.")
@output_options
@pass_ctx
def retention_set(ctx: Context, table: str, tier: str | None, action: str | None, max_age_days: float | None,
                  keep_last_n: int | None, time_column: str | None, enabled: bool | None) -> None:
    """Create or change the retention policy of TABLE."""
    policy = ctx.store(create=True).retention.set(table, tier=tier, action=action, max_age_days=max_age_days, keep_last_n=keep_last_n,
                                       time_column=time_column, enabled=enabled)
    emit(policy, title="policy")


@retention.command("evaluate")
@output_options
@pass_ctx
def retention_evaluate(ctx: Context) -> None:
    """Dry run: what each policy would do now (recorded in retention_policy_snapshots)."""
    _findings(ctx.store().retention.evaluate(), "retention (dry run)")


@retention.command("apply")
@click.option("--table", "tables", multiple=True, help="Only this table (repeatable).")
@click.option("--action", "actions", multiple=True, help="Only policies with this action (repeatable).")
@output_options(skip=["table"])
@pass_ctx
def retention_apply(ctx: Context, tables: tuple[str, ...], actions: tuple[str, ...]) -> None:
    """Carry out the retention policies and record the actions taken."""
    with progress_bar("retention") as progress:
        report = ctx.store().retention.apply(tables=tables or None, actions=actions or None, progress=progress)
    _findings(report, "retention applied")


# -- archive ---------------------------------------------------------------------------------------------

@main.group()
def archive() -> None:
    """Move rows to the tier-3 archive and back; export, verify and import cold-storage bundles."""


@archive.command("run")
@output_options
@pass_ctx
def archive_run(ctx: Context) -> None:
    """Resume interrupted archival, then archive what the policies say (tier-1 cap, archive actions)."""
    with progress_bar("archive") as progress:
        result = ctx.store().archive.run(progress=progress)
    emit_document(result, [_findings_section(result["retention"], "archived")],
                  notes=[f"resumed {result['resumed']} interrupted operation(s); moved {result['graph_nodes']} "
                         "decayed graph node(s) to the archive"])


@archive.command("list")
@click.option("--group", default="conversations", show_default=True, help="Archive group to list.")
@click.option("--limit", default=50, show_default=True, help="At most this many rows.")
@click.option("--live", is_flag=True, help="Include the live tier's rows too.")
@output_options
@pass_ctx
def archive_list(ctx: Context, group: str, limit: int, live: bool) -> None:
    """Archived rows of a group (newest first)."""
    emit(ctx.store().archive.list(group, limit=limit, include_live=live), title=f"archived {group}")


@archive.command("ops")
@click.option("--limit", default=20, show_default=True, help="At most this many operations.")
@output_options
@pass_ctx
def archive_ops(ctx: Context, limit: int) -> None:
    """Recent archival operations (state planned/copied = interrupted, resumed by `archive run`)."""
    emit(ctx.store().archive.operations(limit=limit), title="archival operations")


@archive.command("restore")
@click.argument("keys", nargs=-1, required=True)
@click.option("--group", default="conversations", show_default=True, help="Archive group the keys belong to.")
@output_options
@pass_ctx
def archive_restore(ctx: Context, keys: tuple[str, ...], group: str) -> None:
    """Bring archived rows (by root key, e.g. conversation ids) back to their tier."""
    from ..lifecycle.groups import get_group

    parsed: list[object] = list(keys)
    if get_group(group).key == "id":
        if not all(k.isdigit() for k in keys):
            raise CliError(f"the {group} group is keyed by numeric id; give KEYS as numbers")
        parsed = [int(k) for k in keys]
    with progress_bar("restore") as progress:
        result = ctx.store().archive.restore(group, parsed, progress=progress)
    emit(result, title="restored")


@archive.command("export")
@click.argument("name", required=False)
@click.option("--table", "tables", multiple=True, help="Table to export (tier-3 name or tierN.name; default all tier 3).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "sqlite"]), default="jsonl", show_default=True,
              help="jsonl: one <table>.jsonl.zst per table; sqlite: one archive.sqlite that `mount` can attach.")
@click.option("--dest", type=click.Path(file_okay=False, path_type=Path), help="Directory for the bundle (default <home>/cold).")
@click.option("--purge", is_flag=True, help="Delete the exported rows once the bundle is published and verified.")
@click.option("--reclaim", is_flag=True, help="With --purge: VACUUM afterwards to give the space back.")
@output_options(skip=["table"])
@pass_ctx
def archive_export(ctx: Context, name: str | None, tables: tuple[str, ...], fmt: str, dest: Path | None, purge: bool,
                   reclaim: bool) -> None:
    """Export the archive into a verified cold-storage bundle NAME."""
    from ..lifecycle.coldstore import FilesystemColdStore

    with progress_bar("export") as progress:
        info = ctx.store().archive.export(name, tables=tables or None, format=fmt, purge=purge, reclaim=reclaim,
                                          cold_store=FilesystemColdStore(dest) if dest else None, progress=progress)
    emit(info, title="bundle")


@archive.command("verify")
@click.argument("bundle")
@click.option("--deep", is_flag=True, help="Also parse every JSON line.")
@output_options
@pass_ctx
def archive_verify(ctx: Context, bundle: str, deep: bool) -> None:
    """Check a bundle's checksums and row counts; exit status 1 when it is not ok.

    BUNDLE is a bundle directory (needing no store) or a name from `cortexdb archive bundles`.
    """
    from ..lifecycle.coldstore import verify_bundle

    report = verify_bundle(_bundle(ctx, bundle), deep=deep)
    emit_document({**{"bundle": report.bundle, "ok": report.ok, "problems": report.problems, "tables": report.tables},
                   "first": report.first},
                  [Section("tables", [{"table": t, "rows": n} for t, n in report.tables.items()]),
                   Section("problems", [{"problem": p} for p in report.problems])],
                  flat="tables", notes=[f"{report.bundle}: {'ok' if report.ok else 'NOT OK'}"])
    if not report.ok:
        sys.exit(EXIT_NO)


@archive.command("import")
@click.argument("bundle")
@output_options
@pass_ctx
def archive_import(ctx: Context, bundle: str) -> None:
    """Re-hydrate a verified bundle (a directory, or a name from `archive bundles`) into tier 3;
    rows already present are kept."""
    path = _bundle(ctx, bundle)
    with progress_bar("import") as progress:
        result = ctx.store(create=True).archive.import_bundle(path, progress=progress)
    emit_document(result, [Section(f"imported {path}", [{"table": t, **v} for t, v in result.tables.items()])])


@archive.command("mount")
@click.argument("bundle")
@click.argument("sql", required=False)
@click.option("-p", "--param", "params", multiple=True, help="A bound parameter of SQL (repeat for ?1, ?2, ...).")
@output_options
@pass_ctx
def archive_mount(ctx: Context, bundle: str, sql: str | None, params: tuple[str, ...]) -> None:
    """Attach a SQLite-format bundle (a directory, or a name from `archive bundles`) read-only and
    run SQL over it and the store, naming the bundle by the schema printed without SQL (cold1).

    A mount lasts as long as one connection, so each command mounts anew: there is nothing to
    unmount afterwards. Without SQL, lists the bundle's tables and their row counts.
    """
    store = ctx.store()
    schema = store.archive.mount(_bundle(ctx, bundle))
    if sql is None:
        tables = store.query(f"SELECT name FROM {schema}.sqlite_schema WHERE type = 'table' ORDER BY name")
        emit([{"schema": schema, "table": t["name"],
               "rows": store.query(f"SELECT count(*) AS n FROM {schema}.{_quoted(t['name'])}")[0]["n"]} for t in tables],
             title=f"mounted as {schema}")
        return
    emit(store.query(sql, params))


@archive.command("bundles")
@output_options
@pass_ctx
def archive_bundles(ctx: Context) -> None:
    """Bundles in the store's cold/ directory."""
    emit([{"bundle": b} for b in ctx.store().archive.bundles()], title="bundles")


# -- maintain / health -----------------------------------------------------------------------------------

@main.command()
@click.option("--tier", "level", type=click.Choice(["tier1", "tier2", "tier3"]), default="tier1", show_default=True,
              help="tier1: ANALYZE/optimize/checkpoint; tier2: + FTS optimize and integrity; tier3: + VACUUM and REINDEX.")
@output_options
@pass_ctx
def maintain(ctx: Context, level: str) -> None:
    """Run a maintenance level over every tier file and record it in maintenance_runs."""
    with progress_bar(f"maintain {level}") as progress:
        result = ctx.store().maintenance.run(tier=level, progress=progress)
    emit(result, title="maintenance run")


@main.command()
@click.option("--fix", is_flag=True, help="Apply the safe automatic fixes and record them.")
@output_options
@pass_ctx
def health(ctx: Context, fix: bool) -> None:
    """Run the health self-review; exit status 1 when the overall status is critical."""
    with progress_bar("health") as progress:
        report = ctx.store().health.review(auto_fix=fix, progress=progress)
    emit_document(report, [Section("issues", report.issues, ["severity", "category", "title", "auto_fixable",
                                                              "fix_applied", "fix_description"])], notes=[
        f"health report {report.id}: {report.overall_status} (score {report.overall_score:.2f}; "
        f"database {report.database_score:.2f}, performance {report.performance_score:.2f}, "
        f"rules {report.rule_compliance_score:.2f}, tests {report.test_coverage_score:.2f}, "
        f"storage {report.storage_score:.2f}); fixable {report.auto_fixable_count}, fixed {report.fixed_count}"])
    if report.critical:
        sys.exit(EXIT_NO)

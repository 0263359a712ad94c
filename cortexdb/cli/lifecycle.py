"""Lifecycle commands: retention, archive (move, cold storage), maintain, health."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import click

from . import Context, main, pass_ctx
from ._output import emit, emit_json, progress_bar


def _bar(ctx: Context, label: str):  # type: ignore[no-untyped-def]
    return progress_bar(label, enabled=not ctx.as_json and sys.stderr.isatty())


def _findings(ctx: Context, report, title: str) -> None:  # type: ignore[no-untyped-def]
    if ctx.as_json:
        emit_json(report)
        return
    emit([{k: v for k, v in dataclasses.asdict(f).items() if k not in ("tier",) and v not in (None,)}
          for f in report.findings], as_json=False, title=title,
         columns=["table", "action", "rows", "age_violations", "count_violations", "planned", "done"])
    click.echo(f"recorded as retention_policy_snapshots {report.snapshot_ids}")


# -- retention -------------------------------------------------------------------------------------------

@main.group()
def retention() -> None:
    """Retention policies per table: list, edit, evaluate (dry run), apply."""


@retention.command("policies")
@pass_ctx
def retention_policies(ctx: Context) -> None:
    """List every retention policy."""
    emit([dataclasses.asdict(p) for p in ctx.store().retention.policies()], as_json=ctx.as_json, title="retention policies",
         columns=None if ctx.as_json else ["table_name", "tier", "action", "max_age_days", "keep_last_n", "enabled", "description"])


@retention.command("set")
@click.argument("table")
@click.option("--tier", type=click.Choice(["tier0", "tier1", "tier2", "tier3"]), help="Tier of a new policy's table.")
@click.option("--action", help="delete|archive|keep_last_n|aggregate_then_drop|export_before_purge|cascade|capacity|keep.")
@click.option("--max-age-days", type=float, help="Rows older than this many days are over age.")
@click.option("--keep-last-n", type=int, help="keep_last_n: newest N per partition; capacity: the cap.")
@click.option("--time-column", help="Column giving a row's age.")
@click.option("--enable/--disable", "enabled", default=None, help="Turn the policy on or off.")
@pass_ctx
def retention_set(ctx: Context, table: str, tier: str | None, action: str | None, max_age_days: float | None,
                  keep_last_n: int | None, time_column: str | None, enabled: bool | None) -> None:
    """Create or change the retention policy of TABLE."""
    policy = ctx.store().retention.set(table, tier=tier, action=action, max_age_days=max_age_days, keep_last_n=keep_last_n,
                                       time_column=time_column, enabled=enabled)
    emit(dataclasses.asdict(policy), as_json=ctx.as_json, title="policy")


@retention.command("evaluate")
@pass_ctx
def retention_evaluate(ctx: Context) -> None:
    """Dry run: what each policy would do now (recorded in retention_policy_snapshots)."""
    _findings(ctx, ctx.store().retention.evaluate(), "retention (dry run)")


@retention.command("apply")
@click.option("--table", "tables", multiple=True, help="Only this table (repeatable).")
@click.option("--action", "actions", multiple=True, help="Only policies with this action (repeatable).")
@pass_ctx
def retention_apply(ctx: Context, tables: tuple[str, ...], actions: tuple[str, ...]) -> None:
    """Carry out the retention policies and record the actions taken."""
    with _bar(ctx, "retention") as progress:
        report = ctx.store().retention.apply(tables=tables or None, actions=actions or None, progress=progress)
    _findings(ctx, report, "retention applied")


# -- archive ---------------------------------------------------------------------------------------------

@main.group()
def archive() -> None:
    """Move rows to the tier-3 archive and back; export, verify and import cold-storage bundles."""


@archive.command("run")
@pass_ctx
def archive_run(ctx: Context) -> None:
    """Resume interrupted archival, then archive what the policies say (tier-1 cap, archive actions)."""
    with _bar(ctx, "archive") as progress:
        result = ctx.store().archive.run(progress=progress)
    if ctx.as_json:
        emit_json(result)
        return
    click.echo(f"resumed {result['resumed']} interrupted operation(s)")
    _findings(ctx, result["retention"], "archived")
    if result.get("graph_nodes"):
        click.echo(f"moved {result['graph_nodes']} decayed graph node(s) to the archive")


@archive.command("list")
@click.option("--group", default="conversations", show_default=True, help="Archive group to list.")
@click.option("--limit", default=50, show_default=True, help="At most this many rows.")
@click.option("--live", is_flag=True, help="Include the live tier's rows too.")
@pass_ctx
def archive_list(ctx: Context, group: str, limit: int, live: bool) -> None:
    """Archived rows of a group (newest first)."""
    emit(ctx.store().archive.list(group, limit=limit, include_live=live), as_json=ctx.as_json, title=f"archived {group}")


@archive.command("ops")
@click.option("--limit", default=20, show_default=True, help="At most this many operations.")
@pass_ctx
def archive_ops(ctx: Context, limit: int) -> None:
    """Recent archival operations (state planned/copied = interrupted, resumed by `archive run`)."""
    emit(ctx.store().archive.operations(limit=limit), as_json=ctx.as_json, title="archival operations")


@archive.command("restore")
@click.argument("keys", nargs=-1, required=True)
@click.option("--group", default="conversations", show_default=True, help="Archive group the keys belong to.")
@pass_ctx
def archive_restore(ctx: Context, keys: tuple[str, ...], group: str) -> None:
    """Bring archived rows (by root key, e.g. conversation ids) back to their tier."""
    from ..lifecycle.groups import get_group

    parsed: list[object] = list(keys)
    if get_group(group).key == "id":
        parsed = [int(k) for k in keys]
    with _bar(ctx, "restore") as progress:
        result = ctx.store().archive.restore(group, parsed, progress=progress)
    emit(result, as_json=ctx.as_json, title="restored")


@archive.command("export")
@click.argument("name", required=False)
@click.option("--table", "tables", multiple=True, help="Table to export (tier-3 name or tierN.name; default all tier 3).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "sqlite"]), default="jsonl", show_default=True,
              help="jsonl: one <table>.jsonl.zst per table; sqlite: one archive.sqlite that `mount` can attach.")
@click.option("--dest", type=click.Path(file_okay=False, path_type=Path), help="Directory for the bundle (default <home>/cold).")
@click.option("--purge", is_flag=True, help="Delete the exported rows once the bundle is published and verified.")
@click.option("--reclaim", is_flag=True, help="With --purge: VACUUM afterwards to give the space back.")
@pass_ctx
def archive_export(ctx: Context, name: str | None, tables: tuple[str, ...], fmt: str, dest: Path | None, purge: bool,
                   reclaim: bool) -> None:
    """Export the archive into a verified cold-storage bundle NAME."""
    from ..lifecycle.coldstore import FilesystemColdStore

    with _bar(ctx, "export") as progress:
        info = ctx.store().archive.export(name, tables=tables or None, format=fmt, purge=purge, reclaim=reclaim,
                                          cold_store=FilesystemColdStore(dest) if dest else None, progress=progress)
    emit(info, as_json=ctx.as_json, title="bundle")


@archive.command("verify")
@click.argument("bundle", type=click.Path(path_type=Path))
@click.option("--deep", is_flag=True, help="Also parse every JSON line.")
@click.pass_context
def archive_verify(click_ctx: click.Context, bundle: Path, deep: bool) -> None:
    """Check a bundle's checksums and row counts; exit status 1 when it is not ok.

    Needs no store: any bundle directory can be verified.
    """
    from ..lifecycle.coldstore import verify_bundle

    ctx: Context = click_ctx.obj
    report = verify_bundle(bundle, deep=deep)
    if ctx.as_json:
        emit_json({**dataclasses.asdict(report), "first": report.first})
    else:
        click.echo(f"{bundle}: {'ok' if report.ok else 'NOT OK'}")
        for problem in report.problems:
            click.echo(f"  {problem}")
    if not report.ok:
        sys.exit(1)


@archive.command("import")
@click.argument("bundle", type=click.Path(exists=True, file_okay=False, path_type=Path))
@pass_ctx
def archive_import(ctx: Context, bundle: Path) -> None:
    """Re-hydrate a verified bundle into tier 3 (rows already present are kept)."""
    with _bar(ctx, "import") as progress:
        result = ctx.store().archive.import_bundle(bundle, progress=progress)
    if ctx.as_json:
        emit_json(result)
        return
    emit([{"table": t, **v} for t, v in result.tables.items()], as_json=False, title=f"imported {bundle}")


@archive.command("bundles")
@pass_ctx
def archive_bundles(ctx: Context) -> None:
    """Bundles in the store's cold/ directory."""
    emit([{"bundle": b} for b in ctx.store().archive.bundles()], as_json=ctx.as_json, title="bundles")


# -- maintain / health -----------------------------------------------------------------------------------

@main.command()
@click.option("--tier", "level", type=click.Choice(["tier1", "tier2", "tier3"]), default="tier1", show_default=True,
              help="tier1: ANALYZE/optimize/checkpoint; tier2: + FTS optimize and integrity; tier3: + VACUUM and REINDEX.")
@pass_ctx
def maintain(ctx: Context, level: str) -> None:
    """Run a maintenance level over every tier file and record it in maintenance_runs."""
    with _bar(ctx, f"maintain {level}") as progress:
        result = ctx.store().maintenance.run(tier=level, progress=progress)
    emit(result, as_json=ctx.as_json, title="maintenance run")


@main.command()
@click.option("--fix", is_flag=True, help="Apply the safe automatic fixes and record them.")
@pass_ctx
def health(ctx: Context, fix: bool) -> None:
    """Run the health self-review; exit status 1 when the overall status is critical."""
    with _bar(ctx, "health") as progress:
        report = ctx.store().health.review(auto_fix=fix, progress=progress)
    if ctx.as_json:
        emit_json(report)
    else:
        click.echo(f"health report {report.id}: {report.overall_status} (score {report.overall_score:.2f}; "
                   f"database {report.database_score:.2f}, performance {report.performance_score:.2f}, "
                   f"rules {report.rule_compliance_score:.2f}, tests {report.test_coverage_score:.2f}, "
                   f"storage {report.storage_score:.2f}); fixable {report.auto_fixable_count}, fixed {report.fixed_count}")
        emit(report.issues, as_json=False, title="issues",
             columns=["severity", "category", "title", "auto_fixable", "fix_applied", "fix_description"])
    if report.critical:
        sys.exit(1)

"""Governance commands: ``audit``, ``doctor``, ``boundary``, ``plugins``, ``authority``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import _sqlite
from ..governance import authority as authority_mod
from ..governance import doctor as doctor_mod
from ..governance.boundary import EFFECTS, OPERATIONS
from . import Context, main, pass_ctx
from ._output import Section, emit, emit_document, note, output_format, output_options


def _entries(entries: list) -> list[dict]:
    return [{"tier": e.tier, "pos": e.position, "at": e.created_at[:19], "table": e.table_name,
             "op": e.operation, "key": e.row_key, "actor": e.actor,
             "change": _change(e.old_values, e.new_values)} for e in entries]


def _change(old: dict | None, new: dict | None) -> str:
    if old and new:
        return ", ".join(f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in new if old.get(k) != new.get(k))[:80]
    return str(new if new is not None else old)[:80]


# -- audit ------------------------------------------------------------------------------------------

@main.group()
def audit() -> None:
    """The per-tier SHA-256 audit chains (verify, log, tail, seal, tables)."""


@audit.command("verify")
@click.option("--tier", type=click.Choice(_sqlite.TIERS), help="Only this tier.")
@click.option("--no-seal", is_flag=True, help="Do not seal the rows found unsealed after checking.")
@output_options
@pass_ctx
def audit_verify(ctx: Context, tier: str | None, no_seal: bool) -> None:
    """Walk every chain and report per tier the first broken link and the rows found unsealed
    (written outside cortexdb or since the last seal; also those found, and sealed, when the
    store was opened); exit 1 if any chain is broken."""
    report = ctx.store().audit.verify(tier=tier, seal=not no_seal)
    emit_document(report, [Section("audit chains " + ("OK" if report.ok else "BROKEN"), [
        {"tier": t.tier, "ok": t.ok, "rows": t.rows_checked, "unsealed": t.unsealed, "sealed_now": t.sealed,
         "sealed_at_open": t.sealed_at_open, "head": (t.head_hash or "")[:16],
         "break_at": t.first_break.position if t.first_break else None,
         "problem": f"{t.first_break.kind}: {t.first_break.detail}" if t.first_break else ""} for t in report.tiers])])
    sys.exit(0 if report.ok else 1)


@audit.command("log")
@click.option("--tier", type=click.Choice(_sqlite.TIERS), help="Only this tier.")
@click.option("--table", help="Only rows about this table.")
@click.option("--key", "row_key", help="Only rows about this row key.")
@click.option("-n", "--limit", default=50, show_default=True, help="How many rows.")
@output_options(skip=["table"])
@pass_ctx
def audit_log(ctx: Context, tier: str | None, table: str | None, row_key: str | None, limit: int) -> None:
    """Audit rows, oldest first, filtered by tier, table or row key."""
    entries = ctx.store().audit.log(tier=tier, table=table, row_key=row_key, limit=limit)
    emit(_entries(entries) if output_format() == "table" else entries, title="audit log")


@audit.command("tail")
@click.option("-n", "--lines", default=20, show_default=True, help="How many of the newest rows.")
@output_options
@pass_ctx
def audit_tail(ctx: Context, lines: int) -> None:
    """The newest audit rows across every tier."""
    entries = ctx.store().audit.tail(lines)
    emit(_entries(entries) if output_format() == "table" else entries, title="audit tail")


@audit.command("seal")
@output_options
@pass_ctx
def audit_seal(ctx: Context) -> None:
    """Seal pending audit rows into the chains now."""
    emit(ctx.store().audit.seal(), title="sealed rows per tier")


@audit.command("tables")
@click.option("--enable", "enable", help="Switch auditing of this table on.")
@click.option("--disable", "disable", help="Switch auditing of this table off.")
@output_options
@pass_ctx
def audit_tables(ctx: Context, enable: str | None, disable: str | None) -> None:
    """List audited tables; --enable/--disable TABLE switches one (the switch is audited)."""
    store = ctx.store()
    if enable:
        store.audit.configure(enable, enabled=True)
    if disable:
        store.audit.configure(disable, enabled=False)
    emit(store.audit.tables(), title="audited tables")


# -- doctor -----------------------------------------------------------------------------------------

@main.command()
@click.option("--trend", is_flag=True, help="Show the history of doctor runs instead of checking.")
@click.option("--two-path", "two_path", is_flag=True,
              help="Run the two-path migration check (all migrations vs snapshot + stamp vs older store upgraded).")
@click.option("-n", "--limit", default=20, show_default=True, help="Runs shown by --trend.")
@output_options
@pass_ctx
def doctor(ctx: Context, trend: bool, two_path: bool, limit: int) -> None:
    """Schema drift detector. Exit 0 no drift, 1 drift, 2 error, 3 regression (store newer than
    cortexdb, an applied migration changed, or a version went backwards). Each run is recorded."""
    if two_path:
        paths = doctor_mod.two_path()
        emit_document(paths, [Section("two-path migration check " + ("OK" if paths.ok else "FAILED"),
                                      [{"tier": t.tier, "ok": t.ok, "problems": "; ".join(t.problems)}
                                       for t in paths.tiers])])
        sys.exit(paths.exit_code)
    store = ctx.store(migrate=False)
    if trend:
        emit(doctor_mod.trend(store, limit=limit), title="doctor runs",
             columns=["id", "checked_at", "exit_code", "status", "drift_count", "regression_count", "library_version"])
        return
    report = doctor_mod.check(store)
    if output_format() != "table":
        emit(report)
        sys.exit(report.exit_code)
    click.echo(f"doctor: {report.status} (exit {report.exit_code})")
    if report.error:
        click.echo(f"error: {report.error}")
    for r in report.regressions:
        click.echo(f"REGRESSION {r.tier} {r.kind}: {r.detail}")
    for d in report.differences:
        click.echo(f"DRIFT {d.tier} {d.kind} {d.type} {d.name}")
        if d.expected:
            click.echo(f"    expected: {d.expected[:200]}")
        if d.live:
            click.echo(f"    live:     {d.live[:200]}")
    for p in report.pending:
        click.echo(f"pending (not drift): {p}")
    sys.exit(report.exit_code)


# -- boundary ---------------------------------------------------------------------------------------

@main.group()
def boundary() -> None:
    """The boundary guard: workspace root, allow/deny rules, path checks."""


@boundary.command("check")
@click.argument("path")
@click.option("--op", "operation", type=click.Choice(OPERATIONS), default="read", show_default=True,
              help="The operation to check.")
@output_options
@pass_ctx
def boundary_check(ctx: Context, path: str, operation: str) -> None:
    """Decide whether OP on PATH is allowed (exit 1 if denied; denials are logged)."""
    decision = ctx.store().boundary.check(path, operation)
    emit(decision, title="boundary decision")
    sys.exit(0 if decision.allowed else 1)


@boundary.command("set-root")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@output_options
@pass_ctx
def boundary_set_root(ctx: Context, path: Path) -> None:
    """Set the workspace root (paths outside it are denied unless a rule allows them)."""
    emit({"root": str(ctx.store(create=True).boundary.set_root(path))}, title="boundary")


@boundary.command("add-rule")
@click.argument("effect", type=click.Choice(EFFECTS))
@click.argument("pattern")
@click.option("--op", "operations", multiple=True, type=click.Choice(OPERATIONS),
              help="Operation the rule covers (repeat; default: all).")
@click.option("--priority", default=0, show_default=True, help="Higher wins; deny wins ties.")
@output_options
@pass_ctx
def boundary_add_rule(ctx: Context, effect: str, pattern: str, operations: tuple[str, ...], priority: int) -> None:
    """Add an allow/deny rule for a glob PATTERN (relative to the root, or absolute)."""
    rule = ctx.store(create=True).boundary.add_rule(effect, pattern, operations=operations or OPERATIONS, priority=priority)
    emit(rule, title="rule added")


@boundary.command("remove-rule")
@click.argument("rule_id")
@output_options
@pass_ctx
def boundary_remove_rule(ctx: Context, rule_id: str) -> None:
    """Delete the rule RULE_ID."""
    ctx.store().boundary.remove_rule(rule_id)
    emit({"removed": rule_id}, title="boundary")


@boundary.command("rules")
@output_options
@pass_ctx
def boundary_rules(ctx: Context) -> None:
    """List the workspace root and every rule, highest priority first."""
    store = ctx.store()
    note(f"root: {store.boundary.root or '(not set)'}")
    emit(store.boundary.rules(), title="boundary rules")


@boundary.command("events")
@click.option("--denied", is_flag=True, help="Only denials.")
@click.option("-n", "--limit", default=50, show_default=True, help="How many events.")
@output_options
@pass_ctx
def boundary_events(ctx: Context, denied: bool, limit: int) -> None:
    """Logged boundary events, newest first."""
    emit(ctx.store().boundary.events(allowed=False if denied else None, limit=limit),
         title="boundary events")


# -- plugins ----------------------------------------------------------------------------------------

@main.group()
def plugins() -> None:
    """The plugin registry and its hook executions."""


@plugins.command("list")
@output_options
@pass_ctx
def plugins_list(ctx: Context) -> None:
    """Registered plugins, highest priority first."""
    emit(ctx.store().plugins.list(), title="plugins")


@plugins.command("enable")
@click.argument("plugin_id")
@output_options
@pass_ctx
def plugins_enable(ctx: Context, plugin_id: str) -> None:
    """Enable PLUGIN_ID."""
    emit(ctx.store().plugins.enable(plugin_id), title="plugin")


@plugins.command("disable")
@click.argument("plugin_id")
@output_options
@pass_ctx
def plugins_disable(ctx: Context, plugin_id: str) -> None:
    """Disable PLUGIN_ID (its hooks no longer run)."""
    emit(ctx.store().plugins.disable(plugin_id), title="plugin")


@plugins.command("executions")
@click.option("--plugin", "plugin_id", help="Only this plugin.")
@click.option("--hook", help="Only this hook.")
@click.option("-n", "--limit", default=50, show_default=True, help="How many executions.")
@output_options
@pass_ctx
def plugins_executions(ctx: Context, plugin_id: str | None, hook: str | None, limit: int) -> None:
    """Recorded hook executions, newest first."""
    emit(ctx.store().plugins.executions(plugin_id=plugin_id, hook=hook, limit=limit),
         title="hook executions", columns=["id", "plugin_id", "hook", "started_at", "duration_ms", "status", "error_message"])


# -- authority --------------------------------------------------------------------------------------

@main.group()
def authority() -> None:
    """Declared store roles (staging, prod, replica)."""


@authority.command("show")
@output_options
@pass_ctx
def authority_show(ctx: Context) -> None:
    """The recorded role and the role in force."""
    store = ctx.store(migrate=False)
    emit({"home": str(store.home), "recorded_role": store.identity().get("declared_role"), "role_in_force": store.role,
          "readonly": store.readonly}, title="authority")


@authority.command("set-role")
@click.argument("role", type=click.Choice(["staging", "prod"]))
@click.option("--current", type=click.Choice(["staging", "prod"]), required=True,
              help="The store's current role, declared explicitly.")
@click.confirmation_option(prompt="Change the store's recorded role?")
@output_options
@pass_ctx
def authority_set_role(ctx: Context, role: str, current: str) -> None:
    """Change the recorded role to ROLE (audited)."""
    store = ctx.store(role=current, migrate=False)
    emit({"role": authority_mod.set_role(store, role)}, title="authority")


@authority.command("make-replica")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@output_options
@pass_ctx
def authority_make_replica(ctx: Context, dest: Path) -> None:
    """Copy the store into DEST as a read-only replica (run again to refresh it)."""
    target = authority_mod.create_replica(ctx.store(), dest)
    emit({"replica": str(target)}, title="authority")

"""Store-level commands: init, status, query, backup, restore, schema, demo."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from .. import _sqlite, migrations
from ..errors import ValidationError
from ..store import resolve_home
from . import Context, main, pass_ctx
from ._output import Section, emit, emit_document, output_options


@main.command()
@click.option("--role", type=click.Choice(["staging", "prod", "replica"]), help="Role recorded for a new store.")
@click.option("--module", "modules", multiple=True,
              help="Enable an opt-in schema pack (agency, grace); repeat for several. Once enabled it stays enabled.")
@output_options
@pass_ctx
def init(ctx: Context, role: str | None, modules: tuple[str, ...]) -> None:
    """Create the store (or bring an existing one up to date) and print where it is."""
    store = ctx.store(create=True, role=role, modules=modules)
    identity = store.identity()
    emit({"home": str(store.home), "store_id": identity.get("store_id"), "role": identity.get("declared_role"),
          "modules": ",".join(identity.get("enabled_modules", []))}, title="store")


@main.command()
@output_options
@pass_ctx
def status(ctx: Context) -> None:
    """Tiers, files, sizes, schema versions, row counts and the store's role (CSV: the tables)."""
    report = ctx.store().status()
    emit_document(report, [
        Section("tiers", [{"tier": t.name, "file": t.path, "size_kb": round(t.size_bytes / 1024, 1),
                           "wal_kb": round(t.wal_bytes / 1024, 1),
                           "schema": " ".join(f"{m}@{v}" for m, v in t.schema_versions.items()),
                           "rows": sum(t.row_counts.values())} for t in report.tiers]),
        Section("tables", [{"tier": t.name, "table": name, "rows": n}
                           for t in report.tiers for name, n in t.row_counts.items()])],
        notes=[f"store {report.store_id} at {report.home}  role={report.role}  "
               f"cortexdb {report.library_version}  modules={','.join(report.enabled_modules)}",
               f"indexed entity properties: {', '.join(report.property_indexes) or 'none'}"])


@main.command()
@click.argument("sql")
@click.option("-p", "--param", "params", multiple=True, help="A bound parameter (repeat for ?1, ?2, ...).")
@output_options
@pass_ctx
def query(ctx: Context, sql: str, params: tuple[str, ...]) -> None:
    """Run read-only SQL across every tier (writes are refused). Tables are named by tier
    (tier1.messages) or bare when unique."""
    emit(ctx.store().query(sql, params))


@main.command()
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@output_options
@pass_ctx
def backup(ctx: Context, dest: Path) -> None:
    """Copy every tier, online and consistent, into directory DEST."""
    files = ctx.store().backup(dest)
    emit([{"file": str(f), "bytes": f.stat().st_size} for f in files], title="backup")


@main.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tier", type=click.Choice(_sqlite.TIERS), required=True, help="The tier SOURCE replaces.")
@click.confirmation_option(prompt="Replace this tier with the backup? Close every process using the store first.")
@output_options
@pass_ctx
def restore(ctx: Context, source: Path, tier: str) -> None:
    """Replace one tier file with a backup (from backups/ or `cortexdb backup`).

    Every process using the store must be closed. The next open migrates the restored tier
    forward if it is behind.
    """
    target = migrations.restore_backup(source, resolve_home(ctx.home), tier)
    emit({"restored": str(target), "from": str(source)}, title="restore")


@main.command()
@click.option("--keep", is_flag=True, help="Keep the temporary store and print its path.")
@pass_ctx
def demo(ctx: Context, keep: bool) -> None:
    """Run cortexdb's main job end to end on a temporary store (or --home if given)."""
    from ..demo import run_demo

    if ctx.home is not None:
        run_demo(ctx.home, echo=click.echo)
        return
    tmp = tempfile.mkdtemp(prefix="cortexdb-demo-")
    run_demo(Path(tmp), echo=click.echo)
    if keep:
        click.echo(f"\nstore kept at {tmp}")
    else:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


@main.group(invoke_without_command=True)
@click.option("--dialect", type=click.Choice(["sqlite", "postgres"]), default="sqlite", show_default=True,
              help="SQLite (the local tier files) or PostgreSQL (the authority).")
@click.option("--module", "modules", multiple=True,
              help="Only this schema module (repeatable); default: the always-installed ones.")
@click.pass_context
def schema(ctx: click.Context, dialect: str, modules: tuple[str, ...]) -> None:
    """Print the DDL the migrations create, in migration order (`schema list`: the tables of a store)."""
    if ctx.invoked_subcommand is not None:
        return
    roots = migrations.schema_roots()
    for module in modules:
        migrations.validate_name("module", module)
    wanted = modules or migrations.BASE_MODULES
    if dialect == "postgres":
        from ..sync import pg_schema

        missing = sorted(set(wanted) - set(pg_schema.catalog(roots)))
        if missing:
            raise ValidationError("module", f"no PostgreSQL migrations for {', '.join(missing)}")
        click.echo(pg_schema.ddl(tuple(wanted)), nl=False)
        return
    cat = migrations.catalog(roots)
    missing = sorted(m for m in wanted if not any((m, t) in cat for t in _sqlite.TIERS))
    if missing:
        raise ValidationError("module", f"no SQLite migrations for {', '.join(missing)}")
    for tier in _sqlite.TIERS:
        for migration in migrations.plan(roots, tier, wanted):
            click.echo(f"-- {migration.label}\n{migration.up.strip()}\n")


@schema.command("list")
@click.option("--module", "module", help="Only this module's tables (e.g. grace: its 81 tables by component).")
@output_options
@pass_ctx
def schema_list(ctx: Context, module: str | None) -> None:
    """Enabled modules, their components and tables, with row counts."""
    tables = ctx.store().migrations.tables(module)
    emit([{"module": t.module, "component": t.component, "tier": t.tier, "table": t.table, "rows": t.rows} for t in tables],
         title=f"{len(tables)} tables")

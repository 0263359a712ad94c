"""``cortexdb migrate status | up | rollback | create``."""

from __future__ import annotations

from pathlib import Path

import click

from .. import _sqlite, migrations
from ..schema_manager import create_migration
from . import Context, main, pass_ctx
from ._output import emit, output_options


@main.group()
def migrate() -> None:
    """Schema migrations (opening a store applies pending ones automatically)."""


@migrate.command("status")
@output_options
@pass_ctx
def migrate_status(ctx: Context) -> None:
    """Every migration per tier: applied, pending, missing (file gone) or changed."""
    emit(ctx.store(migrate=False).migrations.status(), title="migrations")


@migrate.command("up")
@click.option("--dry-run", is_flag=True, help="List what would be applied; change nothing.")
@output_options
@pass_ctx
def migrate_up(ctx: Context, dry_run: bool) -> None:
    """Apply pending migrations (each changed tier is backed up to backups/ first)."""
    done = ctx.store(create=not dry_run, migrate=False).migrations.up(dry_run=dry_run)
    emit(done, title="would apply" if dry_run else "applied")


@migrate.command("rollback")
@click.argument("module", required=False)
@click.option("--tier", type=click.Choice(_sqlite.TIERS), help="Only this tier (default: the newest applied).")
@output_options
@pass_ctx
def migrate_rollback(ctx: Context, module: str | None, tier: str | None) -> None:
    """Reverse the last applied migration (of MODULE if given) with its '-- down' section."""
    emit(ctx.store(migrate=False).migrations.rollback(module, tier), title="rolled back")


@migrate.command("create")
@click.argument("module")
@click.argument("tier", type=click.Choice(_sqlite.TIERS))
@click.argument("name")
@click.option("--schema-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Schema directory to write into (default: the package's schema/).")
@output_options
def migrate_create(module: str, tier: str, name: str, schema_dir: Path | None) -> None:
    """Write the next numbered migration file for MODULE in TIER, with a '-- down' section."""
    path = create_migration(module, tier, name, schema_dir or migrations.schema_roots()[0])
    emit({"created": str(path)}, title="migration")

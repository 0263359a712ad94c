"""``cortexdb schema`` (the DDL of either dialect) and ``cortexdb sync`` (the PostgreSQL authority)."""

from __future__ import annotations

import click

from .. import _sqlite, migrations
from ..errors import ValidationError
from . import main


@main.command("schema")
@click.option("--dialect", type=click.Choice(["sqlite", "postgres"]), default="sqlite", show_default=True,
              help="SQLite (the local tier files) or PostgreSQL (the authority).")
@click.option("--module", "modules", multiple=True,
              help="Only this schema module (repeatable); default: the always-installed ones.")
def schema(dialect: str, modules: tuple[str, ...]) -> None:
    """Print the DDL the migrations create, in migration order."""
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

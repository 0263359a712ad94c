"""``cortexdb sync``: share the knowledge graph through the PostgreSQL authority."""

from __future__ import annotations

from collections.abc import Callable

import click

from .. import authority
from . import Context, main, pass_ctx
from ._output import emit, output_options, progress_bar


def _sync_options(command: Callable[..., None]) -> Callable[..., None]:
    """--authority / --authority-role, defaulting to CORTEXDB_AUTHORITY / CORTEXDB_AUTHORITY_ROLE."""
    command = click.option("--authority-role", type=click.Choice(list(authority.ROLES)),
                           help="The authority's declared role (default: $CORTEXDB_AUTHORITY_ROLE).")(command)
    return click.option("--authority", "url", metavar="URL",
                        help="postgresql://... of the authority (default: $CORTEXDB_AUTHORITY).")(command)


@main.group()
def sync() -> None:
    """Share the knowledge graph through a PostgreSQL authority (see docs/sync.md)."""


@sync.command("push")
@_sync_options
@click.option("--batch-size", default=2000, show_default=True, help="Entities per authority transaction.")
@output_options
@pass_ctx
def sync_push(ctx: Context, url: str | None, authority_role: str | None, batch_size: int) -> None:
    """Send what changed since the last push, the removals, and the audit chains."""
    store = ctx.store(authority=url, authority_role=authority_role)
    with progress_bar("pushing") as progress:
        report = store.sync.push(batch_size=batch_size, progress=progress)
    emit(report, title="sync push")


@sync.command("pull")
@_sync_options
@click.option("--batch-size", default=2000, show_default=True, help="Changes per local transaction.")
@output_options
@pass_ctx
def sync_pull(ctx: Context, url: str | None, authority_role: str | None, batch_size: int) -> None:
    """Apply the authority's changes since this store's last pull (creating the store if needed)."""
    store = ctx.store(create=True, authority=url, authority_role=authority_role)
    with progress_bar("pulling") as progress:
        report = store.sync.pull(batch_size=batch_size, progress=progress)
    emit(report, title="sync pull")


@sync.command("status")
@_sync_options
@output_options
@pass_ctx
def sync_status(ctx: Context, url: str | None, authority_role: str | None) -> None:
    """The authority, its role, what is not pushed yet and how far this store has pulled."""
    store = ctx.store(authority=url, authority_role=authority_role)
    emit(store.sync.status(), title="sync status")

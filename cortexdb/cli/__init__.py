"""The ``cortexdb`` command: a thin layer over the library (open a Store, call one method, print).

Each area adds its commands from its own module in this package and one line below.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import CortexError
from ..store import Store
from ..store import open as open_store


class Context:
    """What every command receives: where the store is, and a lazily opened Store."""

    def __init__(self, home: Path | None, as_json: bool) -> None:
        self.home, self.as_json = home, as_json
        self._store: Store | None = None

    def store(self, **options: object) -> Store:
        if self._store is None:
            self._store = open_store(self.home, **options)  # type: ignore[arg-type]
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


pass_ctx = click.make_pass_decorator(Context)


class CortexGroup(click.Group):
    """Prints a CortexError as one clear line and exits 2, instead of a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except CortexError as error:
            click.echo(f"error: {type(error).__name__}: {error}", err=True)
            sys.exit(2)


@click.group(cls=CortexGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), envvar="CORTEXDB_HOME",
              help="Store directory (default: $CORTEXDB_HOME, else the platform's user data dir).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@click.version_option(package_name="cortexdb")
@click.pass_context
def main(ctx: click.Context, home: Path | None, as_json: bool) -> None:
    """cortexdb: an embedded knowledge store for local AI agents."""
    ctx.obj = Context(home, as_json)
    ctx.call_on_close(ctx.obj.close)


from . import (  # noqa: E402  (commands register)
    governance,
    graph,
    lifecycle,
    mcp_cmds,
    memory_cmds,
    migrate,
    store_cmds,
    sync_cmds,
)

__all__ = ["governance", "graph", "lifecycle", "main", "mcp_cmds", "memory_cmds", "migrate", "store_cmds", "sync_cmds"]

"""The ``cortexdb`` command: a thin layer over the library (open a Store, call one method, print).

Each area adds its commands from its own module in this package and one line below. A command
prints through ``_output`` (decorate it with ``@output_options``, print with ``emit``) and fails by
raising: a CortexError, an OSError or a ``_errors.CliError`` becomes one line and an exit status
(see ``_errors``); nothing else needs catching.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from ..store import Store, resolve_home
from ..store import open as open_store
from ._errors import EXIT_INTERNAL, CliError, check_utf8, debugging, describe, report
from ._output import FORMAT_KEY, FORMATS, output_options


class Context:
    """What every command receives: where the store is, and a lazily opened Store."""

    def __init__(self, home: Path | None) -> None:
        self.home = home
        self._store: Store | None = None

    def store(self, *, create: bool = False, **options: Any) -> Store:
        """The store, opened on first use. Reading commands never create one: without ``create``
        a path holding no store is an error naming the fix."""
        if self._store is None:
            home = resolve_home(self.home)
            if not create and not (home / "tier0.db").exists():
                raise CliError(f"no cortexdb store at {home}; check --home (or CORTEXDB_HOME), or create one with "
                               f"`cortexdb --home {home} init`", kind="NoStore")
            self._store = open_store(home, **options)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


pass_ctx = click.make_pass_decorator(Context)


def _home_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Path | None:
    """``--home ""`` is refused (a Path of "" would silently mean the current directory)."""
    if value is None:
        return None
    if not value:
        raise click.BadParameter("is empty; pass a store directory, or leave --home out for the default")
    return Path(value)


def _format_in(args: Sequence[str]) -> str | None:
    """The last output option among raw arguments (for errors raised before any command runs)."""
    found = [a[2:] for a in args if a.startswith("--") and a[2:] in FORMATS]
    return found[-1] if found else None


def _fail(error: BaseException, fmt: str | None) -> NoReturn:
    if isinstance(error, OSError) and error.errno == errno.EPIPE:  # the reader went away (| head): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    if isinstance(error, click.UsageError) and fmt not in ("json", "nl"):
        error.show()  # click's usage line and "Try 'cortexdb ... -h' for help."
        sys.exit(error.exit_code)
    report(error, fmt)


class CortexGroup(click.Group):
    """Turns every failure into one line (or JSON object) and an exit status, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, SystemExit):
            raise
        except (Exception, KeyboardInterrupt) as error:
            if debugging() and describe(error)[2] == EXIT_INTERNAL:
                raise
            _fail(error, ctx.meta.get(FORMAT_KEY))

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        raw = list(sys.argv[1:] if args is None else args)
        if not standalone_mode:
            return super().main(raw, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            check_utf8(raw)
            code = super().main(raw, prog_name, complete_var, standalone_mode=False, **extra)
        except (click.exceptions.Exit, SystemExit):
            raise
        except (Exception, KeyboardInterrupt) as error:
            _fail(error, _format_in(raw))
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=CortexGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", type=click.Path(file_okay=False), callback=_home_option, envvar="CORTEXDB_HOME",
              help="Store directory (default: $CORTEXDB_HOME, else the platform's user data dir).")
@output_options
@click.version_option(package_name="cortexdb")
@click.pass_context
def main(ctx: click.Context, home: Path | None) -> None:
    """cortexdb: an embedded knowledge store for local AI agents.

    Output options work before or after the subcommand (the last one wins). Without one, a
    terminal gets a table and a pipe gets newline-delimited JSON. Exit status: 0 done, 1 a
    negative answer (a miss, a failed check), 2 an error to fix, 70 an internal error.
    """
    ctx.obj = Context(home)
    ctx.call_on_close(ctx.obj.close)


from . import (  # noqa: E402  (commands register)
    agency_cmds,
    conversations_cmds,
    governance,
    graph,
    langgraph_cmds,
    lifecycle,
    mcp_cmds,
    memory_cmds,
    migrate,
    store_cmds,
    sync_cmds,
)

__all__ = ["CliError", "Context", "agency_cmds", "conversations_cmds", "governance", "graph", "langgraph_cmds", "lifecycle",
           "main", "mcp_cmds", "memory_cmds", "migrate", "output_options", "pass_ctx", "store_cmds", "sync_cmds"]

"""How a command fails: one line naming the problem and the fix, a documented exit status, never
a traceback.

Exit statuses: 0 done; 1 a negative answer (a miss, a failed verification, a denial); 2 an error
the user can fix (bad input, no store, a path that cannot be written, any CortexError, a usage
error); 3 a schema regression (``doctor`` only); 70 an unexpected internal error (a bug: one line,
``CORTEXDB_DEBUG=1`` shows the traceback); 130 interrupted. With ``--json`` or ``--nl`` the error is
one JSON object on stderr: ``{"error": {"type": ..., "message": ..., "exit_code": ...}}``.
"""

from __future__ import annotations

import os
import re
import sys
from typing import NoReturn

import click
import orjson

from ..errors import CortexError

EXIT_NO = 1
EXIT_ERROR = 2
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130


class CliError(Exception):
    """A problem the command line found itself; ``kind`` names it in the error line."""

    def __init__(self, message: str, *, kind: str = "UsageError", exit_code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.message, self.kind, self.exit_code = message, kind, exit_code


# The library's messages name its Python API; through the CLI they name the command instead.
_CLI_HINTS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), r) for p, r in (
    (r"db\.conversations\.recent\(\)", "`cortexdb conversations recent`"),
    (r"use db\.conversations\.resume\(\)", "add to it with `cortexdb conversations add`"),
    (r"use syntax='plain' for literal words", "leave out --fts5 to search literal words"),
    (r"needs tier= and action=", "needs --tier and --action"),
    (r"db\.tasks\.list\(\)", "`cortexdb tasks list`"),
    (r"use db\.tasks\.get\(\)", "see it with `cortexdb tasks show`"),
    (r"db\.plugins\.list\(\)", "`cortexdb plugins list`"),
    (r"db\.boundary\.rules\(\)", "`cortexdb boundary rules`"),
    (r"call db\.boundary\.set_root\(path\)", "run `cortexdb boundary set-root PATH`"),
    (r"add one with db\.retention\.set\(\)", "add one with `cortexdb retention set TABLE --tier T --action A`"),
    (r"create it with db\.graph\.add_namespace\('([^']*)'\)", r"add an entity to it with `cortexdb graph add --namespace \1`"),
    (r"cortexdb\.open\(\.\.\., role='prod'\) or ", ""),
    (r"Open it with role='\w+' \(or (CORTEXDB_ROLE=\w+)\)", r"Set \1"),
    (r"open it once without readonly=True to create it", "create it with `cortexdb init`"),
))


def cli_hint(message: str) -> str:
    """``message`` with the library's Python hints replaced by the matching commands."""
    for pattern, replacement in _CLI_HINTS:
        message = pattern.sub(replacement, message)
    return message


def describe(error: BaseException) -> tuple[str, str, int]:
    """The kind, one-line message and exit status for ``error``."""
    if isinstance(error, CliError):
        return error.kind, error.message, error.exit_code
    if isinstance(error, CortexError):
        return type(error).__name__, cli_hint(str(error)), EXIT_ERROR
    if isinstance(error, click.ClickException):
        return type(error).__name__, error.format_message(), error.exit_code
    if isinstance(error, OSError):
        where = f" {error.filename}" if error.filename else ""
        return ("PathError", f"cannot use{where}: {error.strerror or error}; give a path that exists and that you "
                "may read or write", EXIT_ERROR)
    if isinstance(error, UnicodeError):
        return "EncodingError", f"text that is not valid UTF-8 ({error}); pass UTF-8 text", EXIT_ERROR
    if isinstance(error, KeyboardInterrupt) or isinstance(error.__cause__, KeyboardInterrupt):
        return "Interrupted", "interrupted", EXIT_INTERRUPTED
    if isinstance(error, click.Abort):
        return "Aborted", "aborted; nothing was changed", EXIT_NO
    return ("InternalError", f"unexpected {type(error).__name__}: {error}; this is a bug in cortexdb, please report "
            "it with the command line (CORTEXDB_DEBUG=1 shows the traceback)", EXIT_INTERNAL)


def report(error: BaseException, fmt: str | None) -> NoReturn:
    """Print ``error`` as one line (or one JSON object when ``fmt`` is json or nl) on stderr and exit."""
    kind, message, code = describe(error)
    message = " ".join(message.split())
    if fmt in ("json", "nl"):
        line = orjson.dumps({"error": {"type": kind, "message": message, "exit_code": code}}).decode()
    else:
        line = f"error: {kind}: {message}"
    click.echo(line, err=True)
    sys.exit(code)


def debugging() -> bool:
    """``CORTEXDB_DEBUG=1``: let unexpected exceptions show their traceback."""
    return os.environ.get("CORTEXDB_DEBUG", "") not in ("", "0")


def check_utf8(args: list[str]) -> None:
    """Refuse an argument that is not UTF-8 (the shell passes it through as surrogates)."""
    for position, arg in enumerate(args, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = arg.encode("utf-8", "backslashreplace").decode()
            raise CliError(f"argument {position} ({shown[:40]}) is not valid UTF-8; pass UTF-8 text "
                           "(check the shell's locale, or use -p with a UTF-8 value)", kind="EncodingError") from None

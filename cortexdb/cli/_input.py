"""Input for writing commands, as sqlite-utils ``insert`` takes it: arguments, or records from a
file or stdin (``-``) given as a JSON array, one JSON object, or newline-delimited JSON."""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click
import orjson

from ._errors import CliError

F = TypeVar("F", bound=Callable[..., Any])


def input_option(command: F) -> F:
    """``-i/--input FILE``: take the records to write from FILE (``-`` for stdin) instead of arguments."""
    return click.option("-i", "--input", "input_path", metavar="FILE",
                        help="Read records from FILE (- for stdin): a JSON array, one JSON object, or one object a "
                             "line; their keys are this command's arguments and options.")(command)


def read_text(source: str) -> str:
    """The text of a file, or of stdin for ``-``."""
    data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CliError(f"{source} is not UTF-8 text ({error.reason} at byte {error.start}); convert it to UTF-8",
                       kind="InputError") from None


def parse_json(name: str, text: str) -> Any:
    """A JSON argument, refused with its name when it does not parse."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise CliError(f"{name} is not valid JSON ({error}); quote it for the shell, e.g. '{{\"a\": 1}}'",
                       kind="InputError") from None


def read_records(source: str) -> list[dict[str, Any]]:
    """The records in ``source``: a JSON array of objects, one object, or one object a line."""
    text = read_text(source).strip()
    if not text:
        return []
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        value = [_line(source, number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if isinstance(value, dict):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise CliError(f"{source} holds JSON that is not objects; give an array of objects, one object, or one "
                       "object a line", kind="InputError")
    return value


def _line(source: str, number: int, line: str) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError as error:
        raise CliError(f"{source}:{number}: not JSON ({error}); give an array of objects, one object, or one object "
                       "a line", kind="InputError") from None


def fields(record: Mapping[str, Any], allowed: Collection[str], required: Collection[str] = ()) -> dict[str, Any]:
    """``record`` checked against the keys a command takes; unknown or missing keys are named."""
    unknown = sorted(set(record) - set(allowed))
    if unknown:
        raise CliError(f"unknown field(s) {', '.join(unknown)} in an input record; allowed: {', '.join(allowed)}",
                       kind="InputError")
    missing = [k for k in required if record.get(k) is None]
    if missing:
        raise CliError(f"an input record lacks {', '.join(missing)}; each record needs {', '.join(required)}",
                       kind="InputError")
    return dict(record)


def records_or_arguments(input_path: str | None, arguments: dict[str, Any], *,
                         required: Collection[str]) -> list[dict[str, Any]]:
    """The records to write: the one the arguments make, or those read with ``--input`` (where the
    options typed on the command line are defaults for every record)."""
    if input_path is None:
        missing = [k for k in required if arguments.get(k) is None]
        if missing:
            raise CliError(f"missing {', '.join(m.upper() for m in missing)}; give it as an argument, or records "
                           "with -i FILE (- for stdin)")
        return [arguments]
    if any(arguments.get(k) is not None for k in required):
        raise CliError("give records either as arguments or with --input, not both")
    return [{**arguments, **fields(r, arguments.keys(), required)} for r in read_records(input_path)]

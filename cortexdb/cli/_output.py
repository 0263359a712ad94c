"""Output for every command: one set of format options, one writer per format.

``@output_options`` gives a command (and the ``cortexdb`` group itself) ``--json`` (an array, or
one object for a single record), ``--nl`` (newline-delimited JSON), ``--csv``, ``--tsv`` and
``--table``. The option typed last wins, so ``cortexdb --csv memory list --json`` prints JSON.
Without one, a terminal gets a table and a pipe gets newline-delimited JSON, which keeps types,
nested values and multi-line text intact for ``jq`` and friends.

Commands print with :func:`emit` (a list of rows or one record) or :func:`emit_document` (a result
made of several parts, like a task with its progress and artifacts). Rows are written in chunks
as they are converted, so large results stream; rich draws the table only while it is short.
"""

from __future__ import annotations

import base64
import csv
import dataclasses
import io
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import PurePath
from typing import Any, TypeVar

import click
import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from ..clock import to_timestamp

FORMATS = ("json", "nl", "csv", "tsv", "table")
FORMAT_KEY = "cortexdb.output_format"
RICH_ROWS = 50
"""Longer tables are written as plain aligned text, streamed: rich lays out every row first."""
CHUNK_ROWS = 1000
"""Rows converted and written at a time."""
PLAIN_COLUMN_WIDTH = 60
"""Widest column of a long plain table; longer cells end in an ellipsis."""

F = TypeVar("F", bound=Callable[..., Any])


# -- choosing the format -----------------------------------------------------------------------------

def _choose(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and param.name:
        ctx.meta[FORMAT_KEY] = param.name.removeprefix("output_")


_HELP = {"json": "Print JSON (an array of rows, or one object).", "nl": "Print newline-delimited JSON, one row a line.",
         "csv": "Print CSV with a header row.", "tsv": "Print tab-separated values with a header row.",
         "table": "Print a table (the default on a terminal; a pipe gets --nl)."}


def output_options(command: F | None = None, *, skip: Sequence[str] = ()) -> Any:
    """Add ``--json --nl --csv --tsv --table`` to a command or group; the last one typed wins.

    ``@output_options(skip=["table"])`` leaves out a name the command uses for something else
    (``audit log --table NAME``); that format is then chosen before the subcommand.
    """
    def decorate(target: F) -> F:
        for name in reversed(FORMATS):
            if name not in skip:
                target = click.option(f"--{name}", f"output_{name}", is_flag=True, expose_value=False, callback=_choose,
                                      help=_HELP[name])(target)
        return target

    return decorate if command is None else decorate(command)


def chosen_format() -> str | None:
    """The format asked for with an option, or None when none was typed."""
    ctx = click.get_current_context(silent=True)
    return None if ctx is None else ctx.meta.get(FORMAT_KEY)


def output_format() -> str:
    """The format in force: the one asked for, else a table on a terminal and NDJSON in a pipe."""
    return chosen_format() or ("table" if sys.stdout.isatty() else "nl")


def interactive() -> bool:
    """True when a person is watching: a table on stdout and a terminal on stderr (progress bars)."""
    return output_format() == "table" and sys.stderr.isatty()


# -- values ------------------------------------------------------------------------------------------

def _is_time_field(name: str) -> bool:
    return name.endswith("_at") or name in ("since", "until")


def plain(value: Any) -> Any:
    """A JSON-ready value: dataclasses become dicts (epoch-second ``*_at`` fields become the
    store's timestamp text), paths strings; blobs stay bytes until written."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _time_or_plain(f.name, getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)  # kept: a table shows its size, JSON its base64
    return _default(value)


def _time_or_plain(name: str, value: Any) -> Any:
    if _is_time_field(name) and isinstance(value, (int, float)) and not isinstance(value, bool):
        return to_timestamp(value)
    return plain(value)


def _default(value: Any) -> Any:
    """orjson's fallback for what it cannot write itself."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$base64": True, "encoded": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, (PurePath, date, datetime)):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    return str(value)


_JSON_OPTIONS = orjson.OPT_NON_STR_KEYS


def to_json(value: Any, *, indent: bool = False) -> bytes:
    return orjson.dumps(value, default=_default, option=_JSON_OPTIONS | (orjson.OPT_INDENT_2 if indent else 0))


def cell(value: Any, *, human: bool) -> str:
    """One value as table or CSV text: JSON for nested values; blobs marked (their size in a
    table, base64 JSON in CSV); floats with six significant digits in a table, exact in CSV."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.6g}" if human else repr(value)
    if isinstance(value, (bytes, bytearray, memoryview)) and human:
        return f"<blob {len(bytes(value))} bytes>"
    return to_json(value).decode()


# -- writing -----------------------------------------------------------------------------------------

def _write(data: bytes) -> None:
    """Write bytes to stdout after whatever text was printed before them."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(data.decode())
    else:
        buffer.write(data)
        buffer.flush()


def _row(item: Any) -> Any:
    if isinstance(item, Mapping):
        return item
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        return plain(item)
    return {"value": item}  # a list of plain values is one column


def _chunks(rows: Sequence[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(rows), CHUNK_ROWS):
        yield [_row(r) for r in rows[start:start + CHUNK_ROWS]]


def _columns(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None) -> list[str]:
    if columns:
        return list(columns)
    seen: dict[str, None] = {}
    for row in rows[:CHUNK_ROWS]:
        seen.update(dict.fromkeys(row))
    return list(seen)


def _write_json_array(rows: Sequence[Any]) -> None:
    if not rows:
        _write(b"[]\n")
        return
    first = True
    for chunk in _chunks(rows):
        body = b",\n".join(to_json(r) for r in chunk)
        _write((b"[" if first else b",\n") + body)
        first = False
    _write(b"]\n")


def _write_lines(rows: Sequence[Any]) -> None:
    for chunk in _chunks(rows):
        _write(b"".join(to_json(r) + b"\n" for r in chunk))


def _write_delimited(rows: Sequence[Any], columns: Sequence[str] | None, delimiter: str) -> None:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\n")
    names: list[str] | None = None
    for chunk in _chunks(rows):
        if names is None:
            names = _columns(chunk, columns)
            writer.writerow(names)
        writer.writerows([cell(row.get(c), human=False) for c in names] for row in chunk)
        _write(text.getvalue().encode())
        text.seek(0)
        text.truncate()
    if names is None and columns:
        writer.writerow(columns)
        _write(text.getvalue().encode())


def _console() -> Console:
    return Console(soft_wrap=False)


def _write_table(rows: Sequence[Any], columns: Sequence[str] | None, title: str | None) -> None:
    if not rows:
        click.echo(f"{title + ': ' if title else ''}(no rows)")
        return
    if len(rows) > RICH_ROWS:
        _write_plain_table(rows, columns, title)
        return
    data = next(_chunks(rows))
    names = _columns(data, columns)
    table = Table(title=title)
    for name in names:
        table.add_column(name, overflow="fold")
    for row in data:
        table.add_row(*(cell(row.get(c), human=True) for c in names))
    _console().print(table)


def _write_plain_table(rows: Sequence[Any], columns: Sequence[str] | None, title: str | None) -> None:
    """Aligned columns, widths from the first chunk; streams any number of rows."""
    names: list[str] = []
    widths: list[int] = []
    for chunk in _chunks(rows):
        lines: list[str] = []
        if not names:
            names = _columns(chunk, columns)
        cells = [[cell(row.get(c), human=True).replace("\n", " ") for c in names] for row in chunk]
        if not widths:
            widths = [min(PLAIN_COLUMN_WIDTH, max([len(n), *(len(r[i]) for r in cells)])) for i, n in enumerate(names)]
            if title:
                lines.append(f"{title} ({len(rows)} rows)")
            lines.append("  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip())
            lines.append("  ".join("-" * w for w in widths))
        lines.extend("  ".join(_fit(v, w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells)
        _write(("\n".join(lines) + "\n").encode())


def _fit(text: str, width: int) -> str:
    return text.ljust(width) if len(text) <= width else text[:width - 1] + "…"


def _write_record_table(record: Mapping[str, Any], title: str | None) -> None:
    table = Table(title=title, show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for key, value in record.items():
        table.add_row(key, cell(value, human=True))
    _console().print(table)


def emit(value: Any, *, title: str | None = None, columns: Sequence[str] | None = None) -> None:
    """Print ``value`` in the format in force: a list is rows, anything else one record
    (a dict or a dataclass; a table shows it as field/value pairs). ``columns`` picks and orders
    the columns of a table or CSV; JSON always carries every field."""
    fmt = output_format()
    if isinstance(value, (list, tuple)):
        rows: Sequence[Any] = value
        if fmt == "json":
            _write_json_array(rows)
        elif fmt == "nl":
            _write_lines(rows)
        elif fmt in ("csv", "tsv"):
            _write_delimited(rows, columns, "," if fmt == "csv" else "\t")
        else:
            _write_table(rows, columns, title)
        return
    record = plain(value)
    if fmt == "json":
        _write(to_json(record, indent=True) + b"\n")
    elif fmt == "nl":
        _write(to_json(record) + b"\n")
    elif fmt in ("csv", "tsv"):
        _write_delimited([record], columns, "," if fmt == "csv" else "\t")
    elif isinstance(record, Mapping):
        _write_record_table({k: record.get(k) for k in columns} if columns else record, title)
    else:
        click.echo(cell(record, human=True))


@dataclasses.dataclass(frozen=True)
class Section:
    """One part of a document as a table shows it: rows (a list) or one record."""

    title: str
    value: Any
    columns: Sequence[str] | None = None


def emit_document(document: Any, sections: Sequence[Section], *, flat: str | None = None,
                  notes: Sequence[str] = ()) -> None:
    """Print a result made of parts. JSON (and one NDJSON line) carry ``document`` whole; CSV and
    TSV print the section titled ``flat`` (default: the last list); a table prints the ``notes``
    lines and then every section."""
    fmt = output_format()
    if fmt == "json":
        _write(to_json(plain(document), indent=True) + b"\n")
    elif fmt == "nl":
        _write(to_json(plain(document)) + b"\n")
    elif fmt in ("csv", "tsv"):
        lists = [s for s in sections if isinstance(s.value, (list, tuple))]
        chosen = next((s for s in sections if s.title == flat), None) or (lists[-1] if lists else sections[-1])
        emit(chosen.value, columns=chosen.columns)
    else:
        for line in notes:
            click.echo(line)
        for section in sections:
            emit(section.value, title=section.title, columns=section.columns)


def note(text: str) -> None:
    """A line for people: printed with a table, left out of machine formats."""
    if output_format() == "table":
        click.echo(text)


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """Yield a ``progress(done, total)`` callback driving a rich bar on stderr when someone watches."""
    if not interactive():
        yield lambda _done, _total: None
        return
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update

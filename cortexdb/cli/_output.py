"""Output for the CLI: a human table by default, JSON with ``--json``; progress bars via rich."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click
import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table


def plain(value: Any) -> Any:
    """Dataclasses and paths to JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def emit_json(value: Any) -> None:
    click.echo(orjson.dumps(plain(value), option=orjson.OPT_INDENT_2).decode())


def emit_table(rows: Sequence[dict[str, Any]], *, title: str | None = None, columns: Sequence[str] | None = None) -> None:
    """Print rows (dicts) as a table; an empty result says so."""
    console = Console()
    if not rows:
        console.print(f"{title + ': ' if title else ''}(no rows)")
        return
    columns = list(columns or rows[0].keys())
    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(plain(row.get(c))) for c in columns))
    console.print(table)


def emit(value: Any, *, as_json: bool, title: str | None = None, columns: Sequence[str] | None = None) -> None:
    """JSON if asked, else a table of ``value`` (a list of rows, or one row)."""
    if as_json:
        emit_json(value)
        return
    data = plain(value)
    emit_table(data if isinstance(data, list) else [data], title=title, columns=columns)


@contextmanager
def progress_bar(label: str, *, enabled: bool = True) -> Iterator[Callable[[int, int], None]]:
    """Yield a ``progress(done, total)`` callback that drives a rich progress bar on stderr."""
    if not enabled:
        yield lambda _done, _total: None
        return
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update

"""Command-line output: rows written per second in each format, beside ``json.dumps`` of the same
rows written to the same sink (the least any JSON output can cost). One op is one row."""

from __future__ import annotations

import base64
import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import Case

import cortexdb
from cortexdb.cli._output import FORMAT_KEY, RICH_ROWS, emit

ROWS = 20_000


@contextmanager
def _stdout_to_devnull(fmt: str) -> Iterator[io.TextIOWrapper]:
    """stdout replaced by /dev/null and a command context asking for ``fmt``, as a command runs."""
    sink = io.TextIOWrapper(open(os.devnull, "wb"), encoding="utf-8")  # noqa: SIM115  (closed below)
    saved, sys.stdout = sys.stdout, sink
    ctx = click.Context(click.Command("bench"))
    ctx.meta[FORMAT_KEY] = fmt
    try:
        with ctx:
            yield sink
    finally:
        sys.stdout = saved
        sink.close()


def _emit(fmt: str, rows: list[dict[str, Any]]) -> Callable[[], None]:
    def run() -> None:
        with _stdout_to_devnull(fmt):
            emit(rows, title="rows")
    return run


def _dumps(rows: Any) -> Callable[[], None]:
    def run() -> None:
        with _stdout_to_devnull("json") as sink:
            sink.write(json.dumps(rows))
    return run


def cases(workdir: Path) -> list[Case]:
    with cortexdb.open(workdir / "store") as db:
        rows = db.query(
            "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ?) "
            "SELECT n AS id, 'entity-' || n AS name, n * 0.001 AS score, '2026-01-01 00:00:00.000' AS created_at, "
            "json_object('k', n, 'tags', json_array('a', 'b')) AS properties, "
            "'an observation of ordinary length about entity ' || n AS note FROM s", (ROWS,))
        blob = db.query("SELECT zeroblob(5000000) AS b")
    short = rows[:RICH_ROWS]
    blob_as_json = [{"b": {"$base64": True, "encoded": base64.b64encode(blob[0]["b"]).decode()}}]
    notes = "rows/s = 1e6 / per-op us; baseline: json.dumps of the same rows to the same sink"
    return [
        Case(f"--json {ROWS} rows", _emit("json", rows), _dumps(rows), ops=ROWS, repeat=7, notes=notes),
        Case(f"--nl {ROWS} rows", _emit("nl", rows), _dumps(rows), ops=ROWS, repeat=7, notes=notes),
        Case(f"--csv {ROWS} rows", _emit("csv", rows), _dumps(rows), ops=ROWS, repeat=7, notes=notes),
        Case(f"--table {ROWS} rows (streamed plain)", _emit("table", rows), _dumps(rows), ops=ROWS, repeat=7,
             notes=notes),
        Case(f"--table {RICH_ROWS} rows (rich)", _emit("table", short), _dumps(short), ops=RICH_ROWS, repeat=7,
             notes=notes),
        Case("--table one 5 MB blob", _emit("table", blob), _dumps(blob_as_json), repeat=7,
             notes="baseline: json.dumps of the blob as base64"),
        Case("--json one 5 MB blob", _emit("json", blob), _dumps(blob_as_json), repeat=7,
             notes="baseline: json.dumps of the blob as base64"),
    ]

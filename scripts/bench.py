#!/usr/bin/env python
"""cortexdb benchmarks: every case runs beside its raw-apsw baseline in the same process.

Cases live in scripts/benchcases/<area>.py, each exposing ``cases(workdir) -> list[Case]``.
Runs of a case and its baseline alternate, so machine noise hits both; the table shows medians
and the ratio cortexdb/raw (time: lower is better; the target says what the issue requires).

    python scripts/bench.py                 # all areas
    python scripts/bench.py -k open -n 30   # cases whose name contains "open", 30 repetitions
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

HERE = Path(__file__).resolve().parent


@dataclass
class Case:
    """One measurement: ``run`` (cortexdb) and ``baseline`` (raw apsw) doing the same work.

    ``ops`` is how many operations one call performs (for per-op figures); ``target`` is the
    largest acceptable time ratio (cortexdb/raw) the issue sets, or None. ``setup`` and
    ``baseline_setup``, when given, run untimed before each call of their side (to open that
    run's store and connections outside the timed region, on both sides alike).
    """

    name: str
    run: Callable[[], Any]
    baseline: Callable[[], Any]
    ops: int = 1
    target: float | None = None
    repeat: int | None = None
    teardown: Callable[[], Any] | None = None
    setup: Callable[[], Any] | None = None
    baseline_setup: Callable[[], Any] | None = None
    notes: str = ""
    results: dict[str, Any] = field(default_factory=dict)


def load_areas(only: list[str] | None) -> list[tuple[str, Any]]:
    areas = []
    for path in sorted((HERE / "benchcases").glob("*.py")):
        if path.name.startswith("_") or (only and path.stem not in only):
            continue
        spec = importlib.util.spec_from_file_location(f"benchcases.{path.stem}", path)
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        spec.loader.exec_module(module)  # type: ignore[union-attr]
        areas.append((path.stem, module))
    return areas


def measure(case: Case, repeat: int) -> None:
    runs, bases = [], []
    for index in range(repeat):
        order = ((case.run, runs, case.setup), (case.baseline, bases, case.baseline_setup))
        for func, sink, setup in order if index % 2 == 0 else order[::-1]:
            if setup is not None:
                setup()
            started = time.perf_counter()
            func()
            sink.append(time.perf_counter() - started)
    cortex, raw = statistics.median(runs), statistics.median(bases)
    case.results = {
        "cortexdb_ms": cortex * 1000, "raw_ms": raw * 1000, "ratio": cortex / raw if raw else float("inf"),
        "per_op_us": cortex / case.ops * 1e6, "raw_per_op_us": raw / case.ops * 1e6, "repeat": repeat,
        "target": case.target,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-k", dest="filter", help="only cases whose name contains this")
    parser.add_argument("-a", "--area", action="append", help="only this area (file in scripts/benchcases)")
    parser.add_argument("-n", "--repeat", type=int, default=15, help="repetitions per case (default 15)")
    parser.add_argument("-o", "--out", default="bench-results.json", help="JSON results file")
    args = parser.parse_args()
    report: list[dict[str, Any]] = []
    print(f"{'case':44} {'cortexdb':>12} {'raw':>12} {'ratio':>7} {'target':>7}")
    with tempfile.TemporaryDirectory(prefix="cortexdb-bench-") as tmp:
        for area, module in load_areas(args.area):
            workdir = Path(tmp) / area
            workdir.mkdir()
            for case in module.cases(workdir):
                if args.filter and args.filter not in case.name:
                    continue
                measure(case, case.repeat or args.repeat)
                if case.teardown:
                    case.teardown()
                r = case.results
                verdict = "" if case.target is None else ("ok" if r["ratio"] <= case.target else "MISS")
                print(f"{area + ': ' + case.name:44} {r['per_op_us']:10.1f}us {r['raw_per_op_us']:10.1f}us "
                      f"{r['ratio']:6.2f}x {'' if case.target is None else f'<={case.target}x':>7} {verdict}")
                report.append({"area": area, "case": case.name, "ops": case.ops, "notes": case.notes, **r})
    Path(args.out).write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""Regenerate docs/cli.md from the commands' own --help, so the reference never drifts.

``--check`` exits 1 when docs/cli.md is stale (a test runs it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import click

from cortexdb.cli import main as cli_main

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
HEADER = """# cortexdb command line

Generated from each command's `--help` by `scripts/cli_docs.py`; do not edit by hand.
Every command takes the global options `--home PATH` (or `CORTEXDB_HOME`) and `--json`.
Errors print one line `error: <Kind>: <what to do>` and exit 2.
"""


def walk(command: click.Command, path: list[str]) -> list[tuple[list[str], click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            found += walk(command.commands[name], [*path, name])
    return found


def render() -> str:
    parts = [HEADER]
    for path, command in walk(cli_main, ["cortexdb"]):
        with click.Context(command, info_name=" ".join(path)) as ctx:
            text = command.get_help(ctx)
        parts.append(f"\n## `{' '.join(path)}`\n\n```text\n{text}\n```\n")
    return "".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/cli.md is stale")
    args = parser.parse_args()
    text = render()
    if args.check:
        if not DOC.exists() or DOC.read_text("utf-8") != text:
            print("docs/cli.md is stale: run python scripts/cli_docs.py")
            return 1
        return 0
    DOC.write_text(text, "utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

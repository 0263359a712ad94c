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

Generated from each command's `--help` (or `-h`) by `scripts/cli_docs.py`; do not edit by hand.

**Options every command shares.** `--home PATH` (or `CORTEXDB_HOME`) picks the store, before the
subcommand. The output options `--json` (an array of rows, or one object for a single record),
`--nl` (newline-delimited JSON), `--csv`, `--tsv` and `--table` go before or after the subcommand;
the last one typed wins. Without one, a terminal gets a table and a pipe gets newline-delimited
JSON. In JSON, a blob is `{"$base64": true, "encoded": "..."}`; in a table, `<blob N bytes>`;
nested values are JSON in table and CSV cells; times are `YYYY-MM-DD HH:MM:SS.mmm` (UTC). A result
made of parts (`status`, `tasks show`, ...) is one JSON object, and its main list in CSV/TSV.
Writing commands take their records from arguments, or with `-i FILE` (`-` for stdin) as a JSON
array, one object, or one object a line. Tables longer than 50 rows are printed as plain aligned
columns, streamed.

**Stores.** Only `init` and writing commands create a store; reading a path holding none is an
error naming the path.

**Errors and exit status.** An error is one line on stderr, `error: <Kind>: <problem; the fix>`,
never a traceback; with `--json` or `--nl` it is one JSON object on stderr,
`{"error": {"type": "...", "message": "...", "exit_code": N}}`. Exit status: 0 done; 1 a negative
answer (a miss such as `memory get` of a missing key, a failed `verify`, a denial, skipped lines of
`import-memory`); 2 an error to fix (bad input, no store, an unusable path, a usage error); 3 a
schema regression (`doctor`); 70 an unexpected internal error (a bug; `CORTEXDB_DEBUG=1` shows its
traceback); 130 interrupted.
"""


def walk(command: click.Command, path: list[str],
         parent: click.Context | None = None) -> list[tuple[list[str], str]]:
    """Each command's path and help, rendered in its parent's context as the shell would (-h too)."""
    ctx = click.Context(command, info_name=path[-1], parent=parent,
                        **(cli_main.context_settings if parent is None else {}))
    found = [(path, command.get_help(ctx))]
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            found += walk(command.commands[name], [*path, name], ctx)
    return found


def render() -> str:
    parts = [HEADER]
    for path, text in walk(cli_main, ["cortexdb"]):
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

"""``cortexdb mcp`` (the stdio MCP memory server), ``import-memory`` / ``export-memory`` (the
reference server's memory.jsonl) and ``cortexdb graph export``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import Context, main, pass_ctx
from ._errors import EXIT_NO, CliError
from ._output import emit, output_options, progress_bar
from .graph import _ref, graph


@main.command("mcp")
@click.option("--namespace", default="default", show_default=True,
              help="Graph namespace the memory tools read and write.")
@click.option("--busy-timeout", type=float, default=30.0, show_default=True,
              help="Seconds a call waits for another process's write to finish.")
@click.option("--tools", type=click.Choice(["all", "reference"]), default="all", show_default=True,
              help="reference: only the reference server's nine tools; all: also cortexdb's extra tools.")
@pass_ctx
def mcp_command(ctx: Context, namespace: str, busy_timeout: float, tools: str) -> None:
    """Serve the knowledge graph over MCP on stdin/stdout (drop-in for the reference memory server).

    Point your assistant's MCP config at `cortexdb --home PATH mcp` (needs `pip install 'cortexdb[mcp]'`).
    """
    try:
        from ..mcp.server import serve
    except ModuleNotFoundError as error:
        raise CliError(f"the MCP server needs the mcp extra ({error}); install it with pip install 'cortexdb[mcp]'",
                       kind="MissingExtra") from error
    serve(ctx.home, namespace=namespace, busy_timeout=busy_timeout, extras=tools == "all")


@main.command("import-memory")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--namespace", default="default", show_default=True, help="Graph namespace to import into.")
@output_options
@pass_ctx
def import_memory_command(ctx: Context, path: Path, namespace: str) -> None:
    """Import a reference memory server's memory.jsonl (merging into the graph). Bad lines are
    reported on stderr with their line numbers, the good ones imported; then the exit status is 1."""
    from ..mcp.memory_jsonl import import_memory

    store = ctx.store(create=True)
    if namespace not in store.graph.namespaces():
        store.graph.add_namespace(namespace)
    with progress_bar("importing") as progress:
        report = import_memory(store, path, namespace=namespace, progress=progress)
    emit({"lines": report.lines, "entities_created": report.entities_created,
          "entities_merged": report.entities_merged, "observations_added": report.observations_added,
          "relations_created": report.relations_created, "relations_existing": report.relations_existing,
          "lines_skipped": report.error_count, "errors": report.errors}, title=f"import {path}")
    for error in report.errors:
        click.echo(f"{path}:{error.line}: {error.message}", err=True)
    if report.error_count > len(report.errors):
        click.echo(f"... and {report.error_count - len(report.errors)} more", err=True)
    if report.error_count:
        sys.exit(EXIT_NO)


@main.command("export-memory")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--namespace", default="default", show_default=True, help="Graph namespace to export.")
@output_options
@pass_ctx
def export_memory_command(ctx: Context, path: Path, namespace: str) -> None:
    """Write the graph as a reference memory server memory.jsonl (atomically replaced)."""
    from ..mcp.memory_jsonl import export_memory

    emit(export_memory(ctx.store(), path, namespace=namespace), title="export")


@graph.command("export")
@click.option("-f", "--format", "fmt", type=click.Choice(["graphml", "dot", "mermaid", "json"]), default="graphml",
              show_default=True, help="Output format (networkx / Graphviz / Mermaid / node-link JSON).")
@click.option("--root", help="Export only this entity (a name, or #id) and its neighbors.")
@click.option("-d", "--depth", type=int, default=2, show_default=True, help="Hops around --root.")
@click.option("-k", "--kind", help="Only entities of this kind (the root is always kept).")
@click.option("--namespace", default="default", show_default=True, help="Graph namespace.")
@click.option("-n", "--limit", type=int, default=10_000, show_default=True, help="Most entities to export.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
@pass_ctx
def export(ctx: Context, fmt: str, root: str | None, depth: int, kind: str | None, namespace: str, limit: int,
           output: Path | None) -> None:
    """Export the graph (or the part around --root) for networkx, Graphviz, Mermaid or JSON tools."""
    from ..mcp.graph_export import export_graph

    text = export_graph(ctx.store(), fmt, root=None if root is None else _ref(root), depth=depth, kind=kind,
                        namespace=namespace, limit=limit)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")

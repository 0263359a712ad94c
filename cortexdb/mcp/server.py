"""``cortexdb mcp``: a stdio MCP server, a drop-in replacement for the reference memory server.

Built on the official MCP Python SDK (``pip install 'cortexdb[mcp]'``). It exposes the reference
``@modelcontextprotocol/server-memory`` tools with the same names, input schemas, result shapes
and annotations (see :mod:`cortexdb.mcp.tools`), the ``memory://knowledge-graph`` resource, and
extra tools over the rest of cortexdb (ranked search, traversal, provenance, health). One Store is
opened per server process; each call is one transaction, so several servers can share a store.
"""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import orjson
from pydantic import Field
from typing_extensions import TypedDict

from .._checkpoint import BackgroundCheckpointer
from .._version import __version__
from ..errors import CortexError
from .schemas import INPUT_SCHEMAS, OUTPUT_SCHEMAS
from .tools import DEFAULT_READ_LIMIT, DEFAULT_SEARCH_LIMIT, MemoryTools

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

    from ..store import Store

try:
    from mcp.server.mcpserver import MCPServer as _MCPServer
    from mcp.types import CallToolResult, TextContent, ToolAnnotations
except ImportError as error:  # pragma: no cover - exercised only without the extra
    raise ImportError("cortexdb mcp needs the MCP SDK: pip install 'cortexdb[mcp]'") from error

RESOURCE_URI = "memory://knowledge-graph"


class EntityIn(TypedDict):
    name: Annotated[str, Field(description="The name of the entity")]
    entityType: Annotated[str, Field(description="The type of the entity")]
    observations: Annotated[list[str], Field(description="An array of observation contents associated with the entity")]


# "from" is a Python keyword: declare it through the functional TypedDict form.
RelationIn = TypedDict("RelationIn", {
    "from": Annotated[str, Field(description="The name of the entity where the relation starts")],
    "to": Annotated[str, Field(description="The name of the entity where the relation ends")],
    "relationType": Annotated[str, Field(description="The type of the relation")],
})


class ObservationIn(TypedDict):
    entityName: Annotated[str, Field(description="The name of the entity to add the observations to")]
    contents: Annotated[list[str], Field(description="An array of observation contents to add")]


class DeletionIn(TypedDict):
    entityName: Annotated[str, Field(description="The name of the entity containing the observations")]
    observations: Annotated[list[str], Field(description="An array of observations to delete")]


def _write(read_only: bool = False, destructive: bool = False, idempotent: bool = False) -> ToolAnnotations:
    return ToolAnnotations(read_only_hint=read_only, destructive_hint=destructive, idempotent_hint=idempotent,
                           open_world_hint=False)


READ = _write(read_only=True, idempotent=True)
CREATE = _write()
DELETE = _write(destructive=True, idempotent=True)


def _text(value: Any) -> str:
    """``JSON.stringify(value, null, 2)``, as the reference server writes its text content."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()


def _result(text_value: Any, structured: dict[str, Any]) -> CallToolResult:
    text = text_value if isinstance(text_value, str) else _text(text_value)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)


def _error(error: Exception) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=str(error))], is_error=True)


def _guard(call: Callable[[], CallToolResult]) -> CallToolResult:
    try:
        return call()
    except CortexError as error:
        return _error(error)


def build_server(store: Store, *, namespace: str = "default", extras: bool = True) -> MCPServer:
    """The MCP server over ``store``: the nine reference tools, the knowledge-graph resource and,
    with ``extras``, cortexdb's additional tools."""
    tools = MemoryTools(store, namespace=namespace)
    server: MCPServer = _MCPServer(
        name="cortexdb-memory", version=__version__,
        instructions="A knowledge graph memory (cortexdb): entities with observations and typed relations.")

    @server.tool(name="create_entities", title="Create Entities",
                 description="Create multiple new entities in the knowledge graph", annotations=CREATE)
    async def create_entities(entities: list[EntityIn]) -> CallToolResult:
        def call() -> CallToolResult:
            created = tools.create_entities(entities)
            return _result(created, {"entities": created})
        return _guard(call)

    @server.tool(name="create_relations", title="Create Relations",
                 description="Create multiple new relations between entities in the knowledge graph. "
                             "Relations should be in active voice", annotations=CREATE)
    async def create_relations(relations: list[RelationIn]) -> CallToolResult:
        def call() -> CallToolResult:
            created = tools.create_relations(relations)
            return _result(created, {"relations": created})
        return _guard(call)

    @server.tool(name="add_observations", title="Add Observations",
                 description="Add new observations to existing entities in the knowledge graph", annotations=CREATE)
    async def add_observations(observations: list[ObservationIn]) -> CallToolResult:
        def call() -> CallToolResult:
            results = tools.add_observations(observations)
            return _result(results, {"results": results})
        return _guard(call)

    def _deleted(what: str) -> CallToolResult:
        message = f"{what} deleted successfully"
        return _result(message, {"success": True, "message": message})

    @server.tool(name="delete_entities", title="Delete Entities",
                 description="Delete multiple entities and their associated relations from the knowledge graph",
                 annotations=DELETE)
    async def delete_entities(
            entityNames: Annotated[list[str], Field(description="An array of entity names to delete")]
    ) -> CallToolResult:
        return _guard(lambda: (tools.delete_entities(entityNames), _deleted("Entities"))[1])

    @server.tool(name="delete_observations", title="Delete Observations",
                 description="Delete specific observations from entities in the knowledge graph", annotations=DELETE)
    async def delete_observations(deletions: list[DeletionIn]) -> CallToolResult:
        return _guard(lambda: (tools.delete_observations(deletions), _deleted("Observations"))[1])

    @server.tool(name="delete_relations", title="Delete Relations",
                 description="Delete multiple relations from the knowledge graph", annotations=DELETE)
    async def delete_relations(
            relations: Annotated[list[RelationIn], Field(description="An array of relations to delete")]
    ) -> CallToolResult:
        return _guard(lambda: (tools.delete_relations(relations), _deleted("Relations"))[1])

    @server.tool(name="read_graph", title="Read Graph",
                 description=f"Read the entire knowledge graph (at most `limit` entities per call, default "
                             f"{DEFAULT_READ_LIMIT}, with the relations starting at them; pass `nextCursor` "
                             "back as `cursor` for the rest)", annotations=READ)
    async def read_graph(
            limit: Annotated[int, Field(description="Most entities to return", ge=1, le=100_000)] = DEFAULT_READ_LIMIT,
            cursor: Annotated[str | None, Field(description="nextCursor of the previous page")] = None,
    ) -> CallToolResult:
        def call() -> CallToolResult:
            graph = tools.read_graph(limit=limit, cursor=cursor)
            return _result(graph, graph)
        return _guard(call)

    @server.tool(name="search_nodes", title="Search Nodes",
                 description="Search for nodes in the knowledge graph based on a query", annotations=READ)
    async def search_nodes(
            query: Annotated[str, Field(description="The search query to match against entity names, types, "
                                                    "and observation content")],
            limit: Annotated[int, Field(description=f"Most entities to return (default {DEFAULT_SEARCH_LIMIT})",
                                        ge=1, le=100_000)] = DEFAULT_SEARCH_LIMIT,
            cursor: Annotated[str | None, Field(description="nextCursor of the previous page")] = None,
    ) -> CallToolResult:
        def call() -> CallToolResult:
            graph = tools.search_nodes(query, limit=limit, cursor=cursor)
            return _result(graph, graph)
        return _guard(call)

    @server.tool(name="open_nodes", title="Open Nodes",
                 description="Open specific nodes in the knowledge graph by their names", annotations=READ)
    async def open_nodes(
            names: Annotated[list[str], Field(description="An array of entity names to retrieve")]
    ) -> CallToolResult:
        def call() -> CallToolResult:
            graph = tools.open_nodes(names)
            return _result(graph, graph)
        return _guard(call)

    # Publish the reference's own schemas (draft-07, inline) instead of pydantic's rendering of
    # the same arguments. Results are built by MemoryTools already shaped like the reference, so
    # they are not re-validated through pydantic on the way out.
    for name, schema in OUTPUT_SCHEMAS.items():
        tool = server._tool_manager.get_tool(name)
        assert tool is not None
        tool.parameters = INPUT_SCHEMAS[name]
        tool.fn_metadata.output_schema = schema
        tool.fn_metadata.output_model = None

    @server.resource(RESOURCE_URI, name="knowledge-graph", title="Knowledge Graph",
                     description="The full knowledge graph with all entities and relations (first "
                                 f"{DEFAULT_READ_LIMIT} entities)", mime_type="application/json")
    def knowledge_graph() -> str:
        return _text(tools.read_graph())

    if extras:
        from .extras import register_extras

        register_extras(server, store, namespace=namespace, result=_result, guard=_guard)
    return server


class _PipeLines:
    """stdin as an async iterator of text lines, read by the event loop itself (the SDK's default
    stdio transport hands every line to a worker thread, which dominates a small call's cost)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._reader: asyncio.StreamReader | None = None

    def __aiter__(self) -> _PipeLines:
        return self

    async def __anext__(self) -> str:
        if self._reader is None:
            loop = asyncio.get_running_loop()
            self._reader = asyncio.StreamReader(limit=1 << 30, loop=loop)
            pipe = os.fdopen(self._fd, "rb", buffering=0, closefd=False)
            await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(self._reader), pipe)
        line = await self._reader.readline()
        if not line:
            raise StopAsyncIteration
        return line.decode("utf-8", errors="replace")


class _PipeWriter:
    """stdout for the SDK's stdio transport: one blocking ``os.write`` loop per message."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._pending: list[str] = []
        os.set_blocking(fd, True)

    async def write(self, text: str) -> None:
        self._pending.append(text)

    async def flush(self) -> None:
        data = memoryview("".join(self._pending).encode("utf-8"))
        self._pending.clear()
        while data:
            data = data[os.write(self._fd, data):]


async def run_stdio(server: MCPServer) -> None:
    """Serve ``server`` on the process's stdin/stdout. The wire moves to private descriptors and
    fds 0/1 point at /dev/null and stderr, so stray prints can never corrupt the protocol."""
    from mcp.server.stdio import stdio_server

    wire_in, wire_out = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    try:
        lowlevel = server._lowlevel_server
        async with stdio_server(stdin=_PipeLines(wire_in), stdout=_PipeWriter(wire_out)) as (read, write):  # type: ignore[arg-type]
            await lowlevel.run(read, write, lowlevel.create_initialization_options())
    finally:
        os.dup2(wire_in, 0)
        os.dup2(wire_out, 1)


SERVING_CACHE_KIB = 131_072
"""Page cache of the graph tier in a server process (KiB): the graph's indexes stay in memory."""
SERVING_WAL_CHECKPOINT = 10_000
"""WAL pages that wake the background checkpoint in a server process (SQLite checkpoints at 1000
by default): each checkpoint syncs the tier file, so a long-lived writer amortizes that over more
calls, and the copy runs on another thread (cortexdb._checkpoint) instead of inside a call."""


def tune_for_serving(store: Store) -> None:
    """Per-connection settings for a long-lived server process (nothing is stored in the files)."""
    store.execute(f"PRAGMA tier2.cache_size = -{SERVING_CACHE_KIB}")
    if not store.readonly:
        BackgroundCheckpointer(store, pages=SERVING_WAL_CHECKPOINT, hard_limit=2 * SERVING_WAL_CHECKPOINT)


def serve(home: Any = None, *, namespace: str = "default", busy_timeout: float = 30.0, extras: bool = True) -> None:
    """Open the store at ``home`` once and serve MCP over stdin/stdout until the client disconnects
    (``extras=False``: only the reference server's nine tools)."""
    import anyio

    from ..store import open as open_store

    store = open_store(home, busy_timeout=busy_timeout)
    tune_for_serving(store)
    if not store.readonly and namespace not in store.graph.namespaces():
        store.graph.add_namespace(namespace)  # `--namespace work` just works on a new namespace
    try:
        server = build_server(store, namespace=namespace, extras=extras)
        # Everything allocated so far (the SDK, pydantic models, schemas) lives as long as the
        # process: keep it out of every later garbage collection, which each call's result dicts
        # trigger hundreds of times (a full collection otherwise walks all of it).
        gc.freeze()
        anyio.run(run_stdio, server)
    finally:
        store.close()

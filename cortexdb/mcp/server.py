"""``cortexdb mcp``: a stdio MCP server, a drop-in replacement for the reference memory server.

Built on the official MCP Python SDK (``pip install 'cortexdb[mcp]'``). It exposes the reference
``@modelcontextprotocol/server-memory`` tools with the same names, input schemas, result shapes
and annotations (see :mod:`cortexdb.mcp.tools`), the ``memory://knowledge-graph`` resource, and
extra tools over the rest of cortexdb (ranked search, traversal, provenance, health). One Store is
opened per server process; each call is one transaction, so several servers can share a store.
Over stdio the SDK runs on :mod:`cortexdb.mcp.wire`, which parses each message once, writes the
encoded results and answers every request with an id.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field
from typing_extensions import TypedDict

from .._checkpoint import BackgroundCheckpointer
from .._version import __version__
from ..errors import CortexError, ValidationError
from .schemas import INPUT_SCHEMAS, OUTPUT_SCHEMAS
from .tools import DEFAULT_READ_LIMIT, DEFAULT_SEARCH_LIMIT, GraphJSON, MemoryTools
from .wire import Replies, ToolCall, ToolOutput, Wire, text_of

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


def _result(text_value: Any, structured: Any) -> CallToolResult:
    if isinstance(structured, GraphJSON):
        structured = structured.value()
    return CallToolResult(content=[TextContent(type="text", text=text_of(text_value))], structured_content=structured)


def _error(error: Exception) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=str(error))], is_error=True)


def _guard(call: Callable[[], CallToolResult]) -> CallToolResult:
    try:
        return call()
    except CortexError as error:
        return _error(error)


def _arg(arguments: Mapping[str, Any], name: str) -> Any:
    if name not in arguments:
        raise ValidationError(name, "is required")
    return arguments[name]


def reference_calls(tools: MemoryTools) -> dict[str, ToolCall]:
    """The nine reference tools as functions of a call's ``arguments``, each returning (text
    value, structuredContent): what both the stdio wire and the SDK's handlers answer."""
    def deleted(what: str) -> ToolOutput:
        message = f"{what} deleted successfully"
        return message, {"success": True, "message": message}

    def create_entities(a: Mapping[str, Any]) -> ToolOutput:
        created = tools.create_entities(_arg(a, "entities"))
        return created, {"entities": created}

    def create_relations(a: Mapping[str, Any]) -> ToolOutput:
        created = tools.create_relations(_arg(a, "relations"))
        return created, {"relations": created}

    def add_observations(a: Mapping[str, Any]) -> ToolOutput:
        results = tools.add_observations(_arg(a, "observations"))
        return results, {"results": results}

    def delete_entities(a: Mapping[str, Any]) -> ToolOutput:
        tools.delete_entities(_arg(a, "entityNames"))
        return deleted("Entities")

    def delete_observations(a: Mapping[str, Any]) -> ToolOutput:
        tools.delete_observations(_arg(a, "deletions"))
        return deleted("Observations")

    def delete_relations(a: Mapping[str, Any]) -> ToolOutput:
        tools.delete_relations(_arg(a, "relations"))
        return deleted("Relations")

    def read_graph(a: Mapping[str, Any]) -> ToolOutput:
        graph = tools.read_graph_json(limit=a.get("limit", DEFAULT_READ_LIMIT), cursor=a.get("cursor"))
        return graph, graph

    def search_nodes(a: Mapping[str, Any]) -> ToolOutput:
        graph = tools.search_nodes_json(_arg(a, "query"), limit=a.get("limit", DEFAULT_SEARCH_LIMIT),
                                        cursor=a.get("cursor"))
        return graph, graph

    def open_nodes(a: Mapping[str, Any]) -> ToolOutput:
        graph = tools.open_nodes_json(_arg(a, "names"))
        return graph, graph

    return {f.__name__: f for f in (create_entities, create_relations, add_observations, delete_entities,
                                    delete_observations, delete_relations, read_graph, search_nodes, open_nodes)}


def build_server(store: Store, *, namespace: str = "default", extras: bool = True,
                 replies: Replies | None = None) -> MCPServer:
    """The MCP server over ``store``: the nine reference tools, the knowledge-graph resource and,
    with ``extras``, cortexdb's additional tools. With ``replies`` (the stdio wire's), tool
    results are encoded by orjson and the SDK serializes only placeholders."""
    calls = reference_calls(MemoryTools(store, namespace=namespace))
    result = _result
    if replies is not None:
        def result(text_value: Any, structured: Any) -> CallToolResult:
            text, placeholder = replies.result(text_value, structured)
            return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=placeholder)

    def answer(name: str, **arguments: Any) -> CallToolResult:
        return _guard(lambda: result(*calls[name](arguments)))

    server: MCPServer = _MCPServer(
        name="cortexdb-memory", version=__version__,
        instructions="A knowledge graph memory (cortexdb): entities with observations and typed relations.")

    @server.tool(name="create_entities", title="Create Entities",
                 description="Create multiple new entities in the knowledge graph", annotations=CREATE)
    async def create_entities(entities: list[EntityIn]) -> CallToolResult:
        return answer("create_entities", entities=entities)

    @server.tool(name="create_relations", title="Create Relations",
                 description="Create multiple new relations between entities in the knowledge graph. "
                             "Relations should be in active voice", annotations=CREATE)
    async def create_relations(relations: list[RelationIn]) -> CallToolResult:
        return answer("create_relations", relations=relations)

    @server.tool(name="add_observations", title="Add Observations",
                 description="Add new observations to existing entities in the knowledge graph", annotations=CREATE)
    async def add_observations(observations: list[ObservationIn]) -> CallToolResult:
        return answer("add_observations", observations=observations)

    @server.tool(name="delete_entities", title="Delete Entities",
                 description="Delete multiple entities and their associated relations from the knowledge graph",
                 annotations=DELETE)
    async def delete_entities(
            entityNames: Annotated[list[str], Field(description="An array of entity names to delete")]
    ) -> CallToolResult:
        return answer("delete_entities", entityNames=entityNames)

    @server.tool(name="delete_observations", title="Delete Observations",
                 description="Delete specific observations from entities in the knowledge graph", annotations=DELETE)
    async def delete_observations(deletions: list[DeletionIn]) -> CallToolResult:
        return answer("delete_observations", deletions=deletions)

    @server.tool(name="delete_relations", title="Delete Relations",
                 description="Delete multiple relations from the knowledge graph", annotations=DELETE)
    async def delete_relations(
            relations: Annotated[list[RelationIn], Field(description="An array of relations to delete")]
    ) -> CallToolResult:
        return answer("delete_relations", relations=relations)

    @server.tool(name="read_graph", title="Read Graph",
                 description=f"Read the entire knowledge graph (at most `limit` entities per call, default "
                             f"{DEFAULT_READ_LIMIT}, with the relations starting at them; pass `nextCursor` "
                             "back as `cursor` for the rest)", annotations=READ)
    async def read_graph(
            limit: Annotated[int, Field(description="Most entities to return", ge=1, le=100_000)] = DEFAULT_READ_LIMIT,
            cursor: Annotated[str | None, Field(description="nextCursor of the previous page")] = None,
    ) -> CallToolResult:
        return answer("read_graph", limit=limit, cursor=cursor)

    @server.tool(name="search_nodes", title="Search Nodes",
                 description="Search for nodes in the knowledge graph based on a query", annotations=READ)
    async def search_nodes(
            query: Annotated[str, Field(description="The search query to match against entity names, types, "
                                                    "and observation content")],
            limit: Annotated[int, Field(description=f"Most entities to return (default {DEFAULT_SEARCH_LIMIT})",
                                        ge=1, le=100_000)] = DEFAULT_SEARCH_LIMIT,
            cursor: Annotated[str | None, Field(description="nextCursor of the previous page")] = None,
    ) -> CallToolResult:
        return answer("search_nodes", query=query, limit=limit, cursor=cursor)

    @server.tool(name="open_nodes", title="Open Nodes",
                 description="Open specific nodes in the knowledge graph by their names", annotations=READ)
    async def open_nodes(
            names: Annotated[list[str], Field(description="An array of entity names to retrieve")]
    ) -> CallToolResult:
        return answer("open_nodes", names=names)

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
        return text_of(calls["read_graph"]({})[0])

    if extras:
        from .extras import register_extras

        register_extras(server, store, namespace=namespace, result=result, guard=_guard)
    return server


async def run_stdio(server: MCPServer, replies: Replies | None = None) -> None:
    """Serve ``server`` on the process's stdin/stdout through :class:`cortexdb.mcp.wire.Wire`
    (``replies``: those of :func:`build_server`). The wire moves to private descriptors and fds 0/1 point at
    /dev/null and stderr, so stray prints can never corrupt the protocol."""
    import mcp_types

    wire_in, wire_out = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    try:
        wire = Wire(wire_in, wire_out, replies,
                    parse=lambda message: mcp_types.jsonrpc_message_adapter.validate_python(message, by_name=False))
        lowlevel = server._lowlevel_server
        async with wire.streams() as (read, write):
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
        replies = Replies()
        server = build_server(store, namespace=namespace, extras=extras, replies=replies)
        # Everything allocated so far (the SDK, pydantic models, schemas) lives as long as the
        # process: keep it out of every later garbage collection, which each call's result dicts
        # trigger hundreds of times (a full collection otherwise walks all of it).
        gc.freeze()
        anyio.run(run_stdio, server, replies)
    finally:
        store.close()

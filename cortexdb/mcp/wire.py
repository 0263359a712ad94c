"""The stdio wire of ``cortexdb mcp``: newline-delimited JSON-RPC on two pipes.

The MCP SDK keeps the protocol (initialize, listing, resources, notifications, the extra tools);
this module is its stdio transport (:meth:`Wire.streams`, in place of ``mcp.server.stdio``): it
parses each line once (orjson, then the SDK's own model of a message, whose result the SDK gets
instead of the line to parse a second time) and does three things the SDK's transport does not:

- Tool results are encoded once with orjson (:class:`Replies`): the SDK builds and serializes its
  reply around a small placeholder, and the wire swaps the encoded result in on the way out,
  instead of the SDK's four passes over every result through pydantic, which cost more than the
  SQL behind a search with thousands of results. Everything around the result (envelope,
  ``resultType``, ``_meta``, protocol versions) stays the SDK's.
- Every request with an id gets an answer: a lone UTF-16 surrogate (``"\\ud800"``, which
  JavaScript's ``JSON.stringify`` emits), an invalid envelope (``"jsonrpc": "1.0"``, an object id,
  array params) or a line that is not JSON gets a JSON-RPC error where the SDK dropped the line
  and left the client waiting.
- At end of input, requests already handed to the SDK are answered before the server stops
  (``printf '...' | cortexdb mcp``), as the reference server does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import stat
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import anyio
import anyio.lowlevel
import orjson

from .tools import GraphJSON

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
DRAIN_SECONDS = 60.0
"""At end of input, how long requests still with the SDK may take to be answered."""

ToolOutput = tuple[Any, Any]
"""What a tool returns: (text value, structuredContent); a str text value is sent as is,
anything else as ``JSON.stringify(value, null, 2)``; a :class:`GraphJSON` is JSON already."""
ToolCall = Callable[[Mapping[str, Any]], ToolOutput]


def text_of(value: Any) -> str:
    """``JSON.stringify(value, null, 2)``, as the reference server writes its text content."""
    if isinstance(value, str):
        return value
    if isinstance(value, GraphJSON):
        return value.text
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()


def compact_of(value: Any) -> bytes:
    """Compact JSON of a structuredContent value."""
    return value.compact.encode() if isinstance(value, GraphJSON) else orjson.dumps(value)


class Replies:
    """Tool results encoded once with orjson, held until the wire swaps them into the SDK's reply.

    :meth:`result` gives the SDK a result whose text and structuredContent are placeholders naming
    a token (random per process, so no client text can collide); :meth:`splice` cuts the SDK's
    serialized message at them, to be written with the held bytes between the pieces.
    """

    def __init__(self) -> None:
        self._prefix = f"cortexdb-reply-{secrets.token_hex(12)}-"
        self._count = 0
        self._held: dict[bytes, tuple[bytes, bytes]] = {}

    def result(self, text_value: Any, structured: Any) -> tuple[str, dict[str, int]]:
        """(placeholder text, placeholder structuredContent) standing for the encoded result."""
        self._count += 1
        token = f"{self._prefix}{self._count}"
        self._held[token.encode()] = (orjson.dumps(text_of(text_value)), compact_of(structured))
        return token, {token: 0}

    def splice(self, data: bytes) -> list[bytes]:
        """``data`` with the held results in place of their placeholders, as the pieces to write in
        order: a search's reply (about 1 MB) is written as it was encoded, never copied again."""
        if self._prefix.encode() not in data:
            return [data]
        cuts: list[tuple[int, int, bytes]] = []
        for token in [t for t in self._held if t in data]:
            text, structured = self._held.pop(token)
            shape, quoted = b'{"' + token + b'":0}', b'"' + token + b'"'
            at_shape = data.find(shape)
            at_text = data.find(quoted)
            if at_shape >= 0 and at_shape <= at_text < at_shape + len(shape):  # the token inside {"token":0}
                at_text = data.find(quoted, at_shape + len(shape))
            cuts += [(at, at + len(placeholder), value) for at, placeholder, value in
                     ((at_shape, shape, structured), (at_text, quoted, text)) if at >= 0]
        pieces, done = [], 0
        for start, end, value in sorted(cuts):
            pieces += [data[done:start], value]
            done = end
        pieces.append(data[done:])
        return pieces


def _valid_id(value: Any) -> bool:
    if isinstance(value, str):
        return _is_unicode(value)
    return isinstance(value, int) and not isinstance(value, bool)


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _surrogate_path(value: Any, path: str = "") -> str | None:
    """Where in ``value`` a string holds a lone surrogate (``arguments.entities[0].name``), if anywhere."""
    if isinstance(value, str):
        return None if _is_unicode(value) else (path or "(top)")
    if isinstance(value, dict):
        for key, item in value.items():
            if not _is_unicode(key):
                return path or "(top)"
            found = _surrogate_path(item, f"{path}.{key}" if path else key)
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _surrogate_path(item, f"{path}[{index}]")
            if found:
                return found
    return None


def _envelope_problem(message: Any) -> str | None:
    """Why ``message`` is not a JSON-RPC 2.0 request, notification or response, or None."""
    if not isinstance(message, dict):
        return "a message must be a JSON object"
    if message.get("jsonrpc") != "2.0":
        return 'a message must have "jsonrpc": "2.0"'
    if "id" in message and not _valid_id(message["id"]):
        return "an id must be a string or an integer"
    if "method" in message:
        if not isinstance(message["method"], str):
            return "method must be a string"
        if "params" in message and not isinstance(message["params"], dict):
            return "params must be an object"
    return None


class Wire:
    """The SDK's stdio transport over the raw descriptors ``in_fd`` / ``out_fd``.

    ``parse`` is the SDK's model of a message (``jsonrpc_message_adapter.validate_python``): what
    it refuses is answered here, what it accepts goes to the SDK as that model. ``replies`` are
    spliced into what the SDK writes.
    """

    def __init__(self, in_fd: int, out_fd: int, replies: Replies | None, parse: Callable[[Any], Any]) -> None:
        self._in_fd = in_fd
        self._out_fd = out_fd
        self._replies = replies
        self._parse = parse
        self._reader: asyncio.StreamReader | None = None
        self._pump: asyncio.Future[None] | None = None
        self._pending: set[int | str] = set()
        self._drained = asyncio.Event()
        os.set_blocking(out_fd, True)

    @contextlib.asynccontextmanager
    async def streams(self) -> AsyncIterator[tuple[Any, Any]]:
        """(read stream, write stream) for the SDK's ``Server.run``, as ``mcp.server.stdio.stdio_server``
        gives them: messages read (or the exception the SDK's model raised for a response), and
        messages to write (serialized by the SDK as there)."""
        from mcp.shared.message import SessionMessage

        read_send, read_stream = anyio.create_memory_object_stream[Any](0)
        write_stream, write_receive = anyio.create_memory_object_stream[Any](0)

        async def reader() -> None:
            try:
                async with read_send:
                    async for message in self._messages():
                        await read_send.send(message if isinstance(message, Exception) else SessionMessage(message))
            except anyio.ClosedResourceError:  # pragma: no cover - the server stopped reading first
                await anyio.lowlevel.checkpoint()

        async def writer() -> None:
            try:
                async with write_receive:
                    async for session_message in write_receive:
                        self._deliver(session_message.message)
            except anyio.ClosedResourceError:  # pragma: no cover
                await anyio.lowlevel.checkpoint()

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(reader)
            tasks.start_soon(writer)
            yield read_stream, write_stream

    # -- output ----------------------------------------------------------------------------------------
    def _send(self, pieces: list[bytes]) -> None:
        """Write ``pieces`` in order with as few system calls as the pipe allows, no joining copy."""
        views = [memoryview(piece) for piece in pieces if piece]
        while views:
            written = os.writev(self._out_fd, views)
            while written:
                if written >= len(views[0]):
                    written -= len(views.pop(0))
                else:
                    views[0], written = views[0][written:], 0

    def _error(self, request_id: int | str | None, code: int, message: str) -> None:
        self._send([orjson.dumps({"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}),
                    b"\n"])

    def _deliver(self, message: Any) -> None:
        """Write one message of the SDK's (serialized as its own transport does), the held results
        spliced in; a response or error (no ``method``) settles its request."""
        data = message.model_dump_json(by_alias=True, exclude_unset=True).encode("utf-8")
        self._send([*(self._replies.splice(data) if self._replies is not None else [data]), b"\n"])
        if self._pending and not hasattr(message, "method"):
            self._settle(message.id)

    def _settle(self, request_id: Any) -> None:
        if _valid_id(request_id):
            self._pending.discard(request_id)
        if not self._pending:
            self._drained.set()

    # -- input -----------------------------------------------------------------------------------------
    async def _messages(self) -> AsyncIterator[Any]:
        """The SDK's models of the messages read, until end of input."""
        reader = await self._open()
        while True:
            raw = await reader.readline()
            if not raw:
                if self._pending:  # answer what the SDK holds before it sees the end of input
                    try:
                        await asyncio.wait_for(self._drained.wait(), DRAIN_SECONDS)
                    except TimeoutError:
                        print(f"cortexdb mcp: {len(self._pending)} request(s) unanswered at exit", file=sys.stderr)
                return
            line = raw.decode("utf-8", errors="replace")
            if line.strip():
                message = self._admit(line)
                if message is not None:
                    yield message

    async def _open(self) -> asyncio.StreamReader:
        if self._reader is None:
            loop = asyncio.get_running_loop()
            reader = asyncio.StreamReader(limit=1 << 30, loop=loop)
            mode = os.fstat(self._in_fd).st_mode
            if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or os.isatty(self._in_fd):
                pipe = os.fdopen(self._in_fd, "rb", buffering=0, closefd=False)
                await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), pipe)
            else:  # a regular file or /dev/null: the event loop cannot watch it, so a thread reads it
                self._pump = loop.run_in_executor(None, self._read_all, loop, reader)
            self._reader = reader
        return self._reader

    def _read_all(self, loop: asyncio.AbstractEventLoop, reader: asyncio.StreamReader) -> None:
        while chunk := os.read(self._in_fd, 1 << 16):
            loop.call_soon_threadsafe(reader.feed_data, chunk)
        loop.call_soon_threadsafe(reader.feed_eof)

    def _admit(self, line: str) -> Any:
        """Handle ``line`` here (answering it if it needs an answer, returning None) or return what
        the SDK gets: the SDK's model of the message, or for a response the SDK refuses, its error
        (the SDK's own transport passes that on too)."""
        try:
            message = orjson.loads(line)
        except orjson.JSONDecodeError:
            self._not_json(line)
            return None
        problem = _envelope_problem(message)
        model = None
        if problem is None:
            try:
                model = self._parse(message)
            except Exception as error:  # the SDK's own model of the message refuses it
                if "method" not in message:
                    return error
                problem = str(error).splitlines()[0]
        if problem is not None:
            if isinstance(message, dict) and "method" in message and "id" in message:
                request_id = message["id"] if _valid_id(message["id"]) else None
                self._error(request_id, INVALID_REQUEST, f"Invalid Request: {problem}")
            elif not isinstance(message, dict):
                self._error(None, INVALID_REQUEST, f"Invalid Request: {problem}")
            return None
        method = message.get("method")
        if "id" in message and method is not None:
            self._pending.add(message["id"])
            self._drained.clear()
        elif method == "notifications/cancelled":  # the SDK will not answer a cancelled request
            params = message.get("params") or {}
            self._settle(params.get("requestId"))
        return model

    def _not_json(self, line: str) -> None:
        """Answer a line orjson refuses: JSON with a lone surrogate (or NaN) that Python's json
        reads, or not JSON at all (a parse error, id null, as JSON-RPC says)."""
        try:
            message = json.loads(line)
        except (ValueError, RecursionError):
            self._error(None, PARSE_ERROR, "Parse error: the line is not JSON")
            return
        if not isinstance(message, dict) or "method" not in message or "id" not in message:
            return  # a notification or response: nothing to answer
        request_id = message["id"] if _valid_id(message["id"]) else None
        where = _surrogate_path(message.get("params"), "params")
        problem = (f"{where} holds a lone UTF-16 surrogate, which is not Unicode text: send text as valid UTF-8 "
                   "(pair each surrogate or drop it)" if where else
                   "the request holds a number outside JSON's interchangeable range (NaN, Infinity or an integer "
                   "beyond 64 bits)")
        self._error(request_id, INVALID_PARAMS, f"Invalid params: {problem}")

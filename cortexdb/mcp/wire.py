"""The stdio wire of ``cortexdb mcp``: newline-delimited JSON-RPC on two pipes.

The MCP SDK keeps the protocol (initialize, listing, resources, notifications, the extra tools);
this module stands in front of it as its stdin and stdout and does three things the SDK does not:

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
import json
import os
import secrets
import stat
import sys
from collections.abc import Callable, Mapping
from typing import Any

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
    a token (random per process, so no client text can collide); :meth:`splice` replaces them in
    the SDK's serialized message by the held bytes.
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

    def splice(self, data: bytes) -> bytes:
        if self._prefix.encode() not in data:
            return data
        for token in [t for t in self._held if t in data]:
            text, structured = self._held.pop(token)
            data = data.replace(b'{"' + token + b'":0}', structured, 1).replace(b'"' + token + b'"', text, 1)
        return data


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
    """stdin and stdout of the SDK's stdio transport, over the raw descriptors ``in_fd`` / ``out_fd``.

    As stdin it is an async iterator of the lines the SDK should see; as stdout it has the
    ``write`` / ``flush`` the SDK's writer calls; ``replies`` are spliced into what it writes, and
    ``validate`` is the SDK's model of a message (what it refuses is answered here).
    """

    def __init__(self, in_fd: int, out_fd: int, replies: Replies | None = None,
                 validate: Callable[[Any], object] | None = None) -> None:
        self._in_fd = in_fd
        self._out_fd = out_fd
        self._replies = replies
        self._validate = validate
        self._reader: asyncio.StreamReader | None = None
        self._pump: asyncio.Future[None] | None = None
        self._pending: set[int | str] = set()
        self._drained = asyncio.Event()
        self._sdk_out: list[str] = []
        os.set_blocking(out_fd, True)

    # -- output ----------------------------------------------------------------------------------------
    def _send(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self._out_fd, view):]

    def _error(self, request_id: int | str | None, code: int, message: str) -> None:
        self._send(orjson.dumps({"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}) + b"\n")

    async def write(self, text: str) -> None:
        """The SDK's writer: one serialized message (then ``flush``)."""
        self._sdk_out.append(text)

    async def flush(self) -> None:
        text = "".join(self._sdk_out)
        self._sdk_out.clear()
        data = text.encode("utf-8")
        self._send(self._replies.splice(data) if self._replies is not None else data)
        if self._pending:
            for line in filter(None, text.split("\n")):  # not splitlines: U+2028 may sit inside a string
                sent = orjson.loads(line)
                if isinstance(sent, dict) and "method" not in sent:  # a response or error: settled
                    self._settle(sent.get("id"))

    def _settle(self, request_id: Any) -> None:
        if _valid_id(request_id):
            self._pending.discard(request_id)
        if not self._pending:
            self._drained.set()

    # -- input -----------------------------------------------------------------------------------------
    def __aiter__(self) -> Wire:
        return self

    async def __anext__(self) -> str:
        reader = await self._open()
        while True:
            raw = await reader.readline()
            if not raw:
                if self._pending:  # answer what the SDK holds before it sees the end of input
                    try:
                        await asyncio.wait_for(self._drained.wait(), DRAIN_SECONDS)
                    except TimeoutError:
                        print(f"cortexdb mcp: {len(self._pending)} request(s) unanswered at exit", file=sys.stderr)
                raise StopAsyncIteration
            line = raw.decode("utf-8", errors="replace")
            if line.strip() and self._admit(line):
                return line

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

    def _admit(self, line: str) -> bool:
        """Handle ``line`` here (answering it if it needs an answer) or return True to pass it to the SDK."""
        try:
            message = orjson.loads(line)
        except orjson.JSONDecodeError:
            self._not_json(line)
            return False
        problem = _envelope_problem(message)
        method = message.get("method") if problem is None else None
        if problem is None and method is not None and self._validate is not None:
            try:
                self._validate(message)
            except Exception as error:  # the SDK's own model of the message refuses it
                problem = str(error).splitlines()[0]
        if problem is not None:
            if isinstance(message, dict) and "method" in message and "id" in message:
                request_id = message["id"] if _valid_id(message["id"]) else None
                self._error(request_id, INVALID_REQUEST, f"Invalid Request: {problem}")
            elif not isinstance(message, dict):
                self._error(None, INVALID_REQUEST, f"Invalid Request: {problem}")
            return False
        if "id" in message and method is not None:
            self._pending.add(message["id"])
            self._drained.clear()
        elif method == "notifications/cancelled":  # the SDK will not answer a cancelled request
            params = message.get("params") or {}
            self._settle(params.get("requestId"))
        return True

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

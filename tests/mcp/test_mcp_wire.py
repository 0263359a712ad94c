"""The stdio wire of `cortexdb mcp` (cortexdb/mcp/wire.py), driven as raw JSON lines through a real
subprocess: every request with an id gets an answer, whatever the line holds and also when the
client closes stdin right after sending it (`printf '...' | cortexdb mcp`)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from mcp_helpers import cortexdb_exe, ent, run

import cortexdb

INIT = {"jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}


def call(request_id: Any, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": {"name": tool, "arguments": arguments}}


def serve(home: Path, *lines: str | dict[str, Any]) -> dict[Any, dict[str, Any]]:
    """Send ``lines`` (then end of input) to a fresh `cortexdb mcp`; its replies by id (those with
    id null under None, as a list). A server that leaves a request unanswered and waits would hit
    the timeout and fail the test."""
    text = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in (INIT, INITIALIZED, *lines))
    done = subprocess.run([cortexdb_exe(), "--home", str(home), "mcp"], input=text.encode(), capture_output=True,
                          timeout=120, check=True)
    replies = [json.loads(line) for line in done.stdout.decode().split("\n") if line]
    by_id: dict[Any, Any] = {r["id"]: r for r in replies if r["id"] is not None}
    assert len(by_id) == len([r for r in replies if r["id"] is not None]), replies  # one answer per request
    by_id[None] = [r for r in replies if r["id"] is None]
    return by_id


def test_lone_surrogate_escape_gets_an_error_and_writes_nothing(tmp_path: Path) -> None:
    # What JavaScript's JSON.stringify writes for a lone surrogate: the escape, not the code point.
    surrogate = json.dumps(call(1, "create_entities", {"entities": [ent("a", "t", "x")]})).replace('"a"', '"a\\ud800"')
    assert "\\ud800" in surrogate
    in_query = json.dumps(call(2, "search_nodes", {"query": "Q"})).replace('"Q"', '"\\udfffq"')
    replies = serve(tmp_path / "s", surrogate, in_query, call(3, "read_graph", {}))
    for request_id in (1, 2):
        error = replies[request_id]["error"]
        assert error["code"] == -32602 and "lone UTF-16 surrogate" in error["message"], error
    assert "params.arguments.entities[0].name" in replies[1]["error"]["message"]
    assert replies[3]["result"]["structuredContent"] == {"entities": [], "relations": []}


def test_invalid_envelopes_with_an_id_get_a_jsonrpc_error(tmp_path: Path) -> None:
    replies = serve(tmp_path / "s",
                    {"jsonrpc": "1.0", "id": 1, "method": "tools/list"},
                    {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": [1, 2]},
                    {"jsonrpc": "2.0", "id": {"an": "object"}, "method": "tools/list"},
                    {"jsonrpc": "2.0", "id": 4, "method": 5},
                    {"jsonrpc": "1.0", "method": "notifications/initialized"},   # no id: no answer
                    "[1, 2]", "{not json", "",
                    {"jsonrpc": "2.0", "id": 5, "method": "tools/list"})
    assert replies[1]["error"]["code"] == -32600 and '"jsonrpc": "2.0"' in replies[1]["error"]["message"]
    assert replies[2]["error"]["code"] == -32600 and "params must be an object" in replies[2]["error"]["message"]
    assert replies[4]["error"]["code"] == -32600
    # An id that is not an id is answered with id null (JSON-RPC 2.0, section 5), as are the
    # array and the line that is not JSON (a parse error); the blank line is skipped.
    assert [r["error"]["code"] for r in replies[None]] == [-32600, -32600, -32700]
    assert [t["name"] for t in replies[5]["result"]["tools"]][:2] == ["create_entities", "create_relations"]


def test_requests_pending_at_end_of_input_are_answered(tmp_path: Path) -> None:
    """`printf '...' | cortexdb mcp`: stdin ends right after the calls; each is answered (and done)."""
    home = tmp_path / "s"
    replies = serve(home,
                    call(1, "create_entities", {"entities": [ent("a", "t", "first"), ent("b", "t")]}),
                    call(2, "create_relations", {"relations": [{"from": "a", "to": "b", "relationType": "knows"}]}),
                    call(3, "search_nodes", {"query": "first"}),
                    call(4, "neighbors", {"name": "a"}),                  # an extra tool, answered by the SDK
                    {"jsonrpc": "2.0", "id": 5, "method": "tools/list"})
    assert set(replies) == {0, 1, 2, 3, 4, 5, None} and replies[None] == []
    assert [e["name"] for e in replies[3]["result"]["structuredContent"]["entities"]] == ["a"]
    assert replies[4]["result"]["isError"] is False
    with cortexdb.open(home) as db:
        assert [r.target_name for r in db.graph.relations(db.graph.get_entity("a", touch=False))] == ["b"]


def test_results_spliced_by_the_wire_are_exact(tmp_path: Path) -> None:
    """Results are encoded by orjson and swapped into the SDK's reply: text and structured content
    stay exact for text that looks like JSON, like the placeholder, or is not ASCII."""
    tricky = ['quote " and backslash \\', "new\nline\ttab", "emoji 😀 and ß", '{"a":0}', '"text"', "cortexdb-reply-x-1",
              "\u2028 separators \u2029", "nul-free \x01 control"]

    async def body(c):
        await c.call_tool("create_entities", {"entities": [ent("n1", "t", *tricky), ent("n2", "t", "plain")]})
        return [await c.call_tool("search_nodes", {"query": q}) for q in ("n1", "n", "😀")]
    for result in run(tmp_path / "s", body):
        assert not result.is_error
        structured = result.structured_content
        assert result.content[0].text == json.dumps(structured, indent=2, ensure_ascii=False)
    assert structured["entities"][0]["observations"] == tricky


def test_line_separators_inside_replies_do_not_split_messages(tmp_path: Path) -> None:
    """U+2028 / U+2029 are legal raw inside JSON strings: a reply holding one is one message."""
    replies = serve(tmp_path / "s",
                    call(1, "add_observations", {"observations": [{"entityName": "x\u2028y\u2029", "contents": ["c"]}]}),
                    call(2, "read_graph", {}))
    assert replies[1]["result"]["isError"] is True and "x\u2028y\u2029" in replies[1]["result"]["content"][0]["text"]
    assert replies[2]["result"]["structuredContent"] == {"entities": [], "relations": []}


def test_stdin_from_a_file_or_dev_null_is_read_to_its_end(tmp_path: Path) -> None:
    """`cortexdb mcp < requests.jsonl` and `< /dev/null`: the event loop cannot watch a regular file
    or /dev/null, so the wire reads it on a thread; the server answers and exits, no traceback."""
    requests = tmp_path / "requests.jsonl"
    requests.write_text("".join(json.dumps(line) + "\n" for line in (INIT, INITIALIZED, call(1, "read_graph", {}))))
    with requests.open("rb") as handle:
        done = subprocess.run([cortexdb_exe(), "--home", str(tmp_path / "s"), "mcp"], stdin=handle,
                              capture_output=True, timeout=60, check=True)
    replies = {r["id"]: r for r in map(json.loads, done.stdout.decode().splitlines())}
    assert replies[1]["result"]["structuredContent"] == {"entities": [], "relations": []}
    assert b"Traceback" not in done.stderr
    empty = subprocess.run([cortexdb_exe(), "--home", str(tmp_path / "s"), "mcp"], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=60, check=True)
    assert empty.stdout == b"" and b"Traceback" not in empty.stderr


def test_each_message_is_parsed_once_and_the_sdk_gets_the_model() -> None:
    """The wire is the SDK's stdio transport: a line is read with orjson and the SDK's model of a
    message once, and the SDK receives that model (its own transport parsed every line again);
    a response the model refuses reaches the SDK as the model's error, as from the SDK's transport."""
    import anyio
    import mcp_types
    from mcp.shared.message import SessionMessage

    from cortexdb.mcp.wire import Wire

    parsed: list[Any] = []

    def parse(message: Any) -> Any:
        parsed.append(message)
        return mcp_types.jsonrpc_message_adapter.validate_python(message, by_name=False)

    cancel = {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1}}  # nothing left pending
    lines = [call(1, "search_nodes", {"query": "q"}), {"jsonrpc": "2.0", "id": 9, "result": "not an object"}, cancel]
    in_read, in_write = os.pipe()
    out_read, out_write = os.pipe()
    os.write(in_write, "".join(json.dumps(line) + "\n" for line in lines).encode())
    os.close(in_write)

    async def main() -> list[Any]:
        wire = Wire(in_read, out_write, None, parse)
        async with wire.streams() as (read, write):
            received = [item async for item in read]
            await write.aclose()
        return received

    try:
        received = anyio.run(main)
    finally:
        for fd in (in_read, out_read, out_write):
            os.close(fd)
    assert parsed == lines
    assert isinstance(received[0], SessionMessage) and received[0].message.method == "tools/call"
    assert received[0].message.params["arguments"] == {"query": "q"}
    assert isinstance(received[1], Exception)
    assert isinstance(received[2], SessionMessage) and received[2].message.method == "notifications/cancelled"


def test_held_results_are_written_in_place_of_their_placeholders_whatever_their_order() -> None:
    """The wire writes the SDK's message as pieces around the held results: either placeholder
    may come first, a result without structuredContent has only its text, and a message holding
    no placeholder is written as it is."""
    import orjson

    from cortexdb.mcp.wire import Replies

    replies = Replies()
    for text, structured, order in (("a \"quoted\" text", {"k": [1, 2]}, ("content", "structuredContent")),
                                    ("second", {"x": "y"}, ("structuredContent", "content")),
                                    ("no structure", None, ("content",))):
        token, shape = replies.result(text, structured)
        message: dict[str, Any] = {"id": 7}
        for key in order:
            message[key] = [{"type": "text", "text": token}] if key == "content" else shape
        pieces = replies.splice(orjson.dumps(message))
        sent = json.loads(b"".join(pieces))
        assert sent["content"][0]["text"] == text
        assert sent.get("structuredContent") == structured
        assert list(sent) == ["id", *order]
    assert replies.splice(b'{"plain":1}') == [b'{"plain":1}']


def test_a_reply_larger_than_the_pipe_is_written_whole(tmp_path: Path) -> None:
    """Pieces far larger than the pipe's buffer are written in order and in full, through the
    partial writes a full pipe gives."""
    import fcntl
    import threading

    from cortexdb.mcp.wire import Wire

    read_fd, write_fd = os.pipe()
    fcntl.fcntl(write_fd, fcntl.F_SETPIPE_SZ, 4096)
    pieces = [b"a" * 100_000, b"", b"b" * 3, os.urandom(1_000_000), b"\n"]
    received = bytearray()

    def drain() -> None:
        while chunk := os.read(read_fd, 1500):
            received.extend(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    wire = Wire(os.open(os.devnull, os.O_RDONLY), write_fd, None, lambda message: message)
    wire._send(pieces)
    os.close(write_fd)
    reader.join(timeout=30)
    os.close(read_fd)
    assert bytes(received) == b"".join(pieces)

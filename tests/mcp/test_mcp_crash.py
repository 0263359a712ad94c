"""SIGKILL a `cortexdb mcp` process while it is writing: every acknowledged call is in the store,
every call is all or nothing, and the indexes stay consistent."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

from mcp_helpers import cortexdb_exe

import cortexdb
from cortexdb.mcp import MemoryTools

BATCH = 20


def _send(proc: subprocess.Popen, message: dict) -> None:
    assert proc.stdin is not None
    proc.stdin.write((json.dumps(message) + "\n").encode())
    proc.stdin.flush()


def _receive(proc: subprocess.Popen) -> dict:
    assert proc.stdout is not None
    while True:
        line = proc.stdout.readline()
        assert line, "server closed its stdout"
        message = json.loads(line)
        if "id" in message:
            return message


def test_sigkill_during_writes_keeps_every_acknowledged_call(tmp_path: Path) -> None:
    home = tmp_path / "s"
    cortexdb.open(home).close()
    calls = 60
    proc = subprocess.Popen([cortexdb_exe(), "--home", str(home), "mcp"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        _send(proc, {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "crash-test", "version": "1"}}})
        assert "result" in _receive(proc)
        _send(proc, {"jsonrpc": "2.0", "method": "notifications/initialized"})
        for n in range(1, calls + 1):   # pipelined: the server is busy writing when the kill lands
            _send(proc, {"jsonrpc": "2.0", "id": n, "method": "tools/call", "params": {
                "name": "create_entities", "arguments": {"entities": [
                    {"name": f"b{n}-e{i}", "entityType": "t", "observations": [f"batch {n} item {i}", "shared"]}
                    for i in range(BATCH)]}}})
        acknowledged = []
        for _ in range(calls // 3):
            reply = _receive(proc)
            assert not reply["result"].get("isError"), reply
            acknowledged.append(reply["id"])
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    with cortexdb.open(home) as db:
        rows = db.execute("SELECT name FROM tier2.graph_entities")
        batches: dict[int, int] = {}
        for (name,) in rows:
            batches[int(name.split("-")[0][1:])] = batches.get(int(name.split("-")[0][1:]), 0) + 1
        assert set(acknowledged) <= set(batches)                         # nothing acknowledged is lost
        assert all(count == BATCH for count in batches.values())         # each call all or nothing
        assert db.execute("SELECT count(*) FROM tier2.graph_observations")[0][0] == 2 * BATCH * len(batches)
        for index in ("graph_search", "graph_substring"):
            assert db.execute(f"INSERT INTO tier2.{index} ({index}, rank) VALUES ('integrity-check', 1)") == []
        assert db.execute("PRAGMA tier2.foreign_key_check") == []
        tools = MemoryTools(db)
        assert len(tools.search_nodes("shared", limit=100_000)["entities"]) == BATCH * len(batches)

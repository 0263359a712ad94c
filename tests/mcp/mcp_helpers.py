"""Helpers for the MCP tests: drive a real `cortexdb mcp` subprocess through the SDK's stdio client."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

pytest.importorskip("mcp")

from mcp import Client
from mcp.client.stdio import StdioServerParameters

T = TypeVar("T")


def cortexdb_exe() -> str:
    exe = Path(sys.executable).with_name("cortexdb")
    return str(exe) if exe.exists() else "cortexdb"


def server_params(home: Path, *extra: str) -> StdioServerParameters:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH", "TMPDIR", "CORTEXDB_EMBEDDER")}
    return StdioServerParameters(command=cortexdb_exe(), args=["--home", str(home), "mcp", *extra], env=env)


@contextlib.asynccontextmanager
async def client(home: Path, *extra: str) -> AsyncIterator[Client]:
    async with Client(server_params(home, *extra), read_timeout_seconds=120) as c:
        yield c


def run(home: Path, body: Callable[[Client], Awaitable[T]]) -> T:
    """Start a server on ``home``, run ``body(client)``, stop the server."""
    async def main() -> T:
        async with client(home) as c:
            return await body(c)
    return asyncio.run(main())


async def ok(c: Client, tool: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
    result = await c.call_tool(tool, args or {})
    assert not result.is_error, (tool, result.content)
    return result.structured_content or {}


async def fails(c: Client, tool: str, args: dict[str, Any]) -> str:
    result = await c.call_tool(tool, args)
    assert result.is_error, (tool, result.structured_content)
    return result.content[0].text  # type: ignore[union-attr]


def ent(name: str, kind: str = "thing", *observations: str) -> dict[str, Any]:
    return {"name": name, "entityType": kind, "observations": list(observations)}


def rel(source: str, target: str, kind: str = "knows") -> dict[str, str]:
    return {"from": source, "to": target, "relationType": kind}

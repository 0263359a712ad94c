"""What the checkpointer and the store share: the async bridge and argument checks."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from ..errors import ValidationError
from ..memory._common import text

T = TypeVar("T")


async def in_executor(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking store call on the loop's default executor.

    One apsw connection serves both the sync and async forms: the Store's lock serializes calls
    from every thread, and SQLite work is short, so a thread hop is cheaper than a second
    connection (which would contend for the same WAL write lock anyway).
    """
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(func, *args, **kwargs))


def configurable(config: Any, *, field: str = "config") -> dict[str, Any]:
    """The ``configurable`` mapping of a RunnableConfig, or ValidationError naming the argument."""
    if not isinstance(config, dict) or not isinstance(config.get("configurable"), dict):
        raise ValidationError(field, "must be a RunnableConfig: a dict with a 'configurable' dict")
    return config["configurable"]


def thread_id_of(conf: dict[str, Any], *, field: str = "config") -> str:
    """``thread_id`` as text (LangGraph accepts ints and uuids and stores them as str)."""
    value = conf.get("thread_id")
    if value is None:
        raise ValidationError(field, "configurable['thread_id'] is required (the thread to persist)")
    return text(f"{field}.thread_id", str(value))


def namespace_of(conf: dict[str, Any], *, field: str = "config") -> str:
    return text(f"{field}.checkpoint_ns", conf.get("checkpoint_ns") or "", allow_empty=True)


def optional_id(conf: dict[str, Any], *, field: str = "config") -> str | None:
    value = conf.get("checkpoint_id")
    return None if value is None else text(f"{field}.checkpoint_id", str(value))

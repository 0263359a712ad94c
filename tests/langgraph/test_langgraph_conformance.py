"""LangGraph's published checkpointer conformance suite against CortexSaver, on a real store file.

Every base capability and every optional one the suite detects (prune, copy_thread,
delete_for_runs) must pass; a capability the suite no longer detects fails the test too.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from pathlib import Path

import pytest
from langgraph.checkpoint.conformance import checkpointer_test, validate
from langgraph.checkpoint.conformance.capabilities import ALL_CAPABILITIES

import cortexdb
from cortexdb.langgraph import CortexSaver


@pytest.mark.parametrize("keep_last", ["policy", None])
def test_conformance_suite_passes(tmp_path: Path, keep_last: str | None) -> None:
    stores: list[cortexdb.Store] = []

    async def factory() -> AsyncGenerator[CortexSaver, None]:
        db = cortexdb.open(tmp_path / f"store{len(stores)}")
        stores.append(db)
        yield CortexSaver(db) if keep_last == "policy" else CortexSaver(db, keep_last=None)
        db.close()

    registered = checkpointer_test(name=f"CortexSaver-{keep_last}")(factory)
    report = asyncio.run(validate(registered))
    detected = {name for name, result in report.results.items() if result.detected}
    assert detected == {c.value for c in ALL_CAPABILITIES}
    failures = {name: result.failures for name, result in report.results.items() if result.failures}
    assert not failures, failures
    assert all(result.passed for result in report.results.values())
    assert sum(result.tests_passed for result in report.results.values()) >= 60

"""Shared fixtures: real stores on real files under tmp_path, a manual clock, extra schema modules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import cortexdb
from cortexdb import migrations


@pytest.fixture
def clock() -> cortexdb.ManualClock:
    return cortexdb.ManualClock()


@pytest.fixture
def db(tmp_path: Path, clock: cortexdb.ManualClock) -> Iterator[cortexdb.Store]:
    store = cortexdb.open(tmp_path / "s", clock=clock)
    yield store
    store.close()


@pytest.fixture
def extra_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A schema root for test-only modules, on CORTEXDB_SCHEMA_PATH; caches reset around it."""
    root = tmp_path / "extra_schema"
    root.mkdir()
    monkeypatch.setenv("CORTEXDB_SCHEMA_PATH", str(root))
    migrations.reload()
    yield root
    migrations.reload()

"""Fixtures for the lifecycle tests: a store on a ManualClock."""

from __future__ import annotations

import pytest

import cortexdb
from cortexdb.clock import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def db(tmp_path, clock):
    store = cortexdb.open(tmp_path / "store", clock=clock)
    yield store
    store.close()

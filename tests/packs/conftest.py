"""Stores with an opt-in pack enabled (agency, grace), on real files under tmp_path, with a manual clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import cortexdb


@pytest.fixture
def agency_db(tmp_path: Path, clock: cortexdb.ManualClock) -> Iterator[cortexdb.Store]:
    store = cortexdb.open(tmp_path / "s", modules=["agency"], clock=clock)
    yield store
    store.close()


@pytest.fixture
def grace(tmp_path: Path, clock: cortexdb.ManualClock) -> Iterator[cortexdb.Store]:
    with cortexdb.open(tmp_path / "store", modules=["grace"], clock=clock) as store:
        yield store

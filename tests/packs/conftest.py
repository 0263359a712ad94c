"""Stores with the agency pack enabled, on real files, with a manual clock."""

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

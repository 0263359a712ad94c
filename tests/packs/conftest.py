"""Fixtures for the opt-in packs: a store with the Grace pack on real files under tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import cortexdb


@pytest.fixture
def grace(tmp_path: Path, clock: cortexdb.ManualClock) -> Iterator[cortexdb.Store]:
    with cortexdb.open(tmp_path / "store", modules=["grace"], clock=clock) as store:
        yield store

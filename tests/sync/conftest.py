"""A PostgreSQL database of its own per test, on the loopback server; dropped afterwards.

Unreachable PostgreSQL skips these tests with the reason, except under ``CI``, where it fails them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from pg_server import admin, database_url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The URL of a fresh, empty database, dropped after the test."""
    server = admin()
    name = f"cortexdb_test_{uuid.uuid4().hex[:12]}"
    server.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(name)
    finally:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.close()

"""A PostgreSQL database of its own per test, on the loopback server; dropped afterwards.

Unreachable PostgreSQL skips these tests with the reason, except under ``CI``, where it fails them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest

SERVER = os.environ.get("CORTEXDB_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _admin() -> psycopg.Connection:
    try:
        return psycopg.connect(SERVER, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        reason = f"PostgreSQL is not reachable at {SERVER}: {str(error).strip().splitlines()[0]}"
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI is set: start it with pg_ctlcluster, see .ci/run)")
        pytest.skip(reason)


def _url(name: str) -> str:
    return SERVER.rsplit("/", 1)[0] + "/" + name


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The URL of a fresh, empty database, dropped after the test."""
    admin = _admin()
    name = f"cortexdb_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _url(name)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

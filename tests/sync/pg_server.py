"""The loopback PostgreSQL the sync tests use: skip with the reason when unreachable, fail under CI."""

from __future__ import annotations

import os

import psycopg
import pytest

SERVER = os.environ.get("CORTEXDB_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def admin() -> psycopg.Connection:
    """An autocommit connection to the server's maintenance database."""
    try:
        return psycopg.connect(SERVER, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        reason = f"PostgreSQL is not reachable at {SERVER}: {str(error).strip().splitlines()[0]}"
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI is set: start it with pg_ctlcluster, see .ci/run)")
        pytest.skip(reason)


def database_url(name: str) -> str:
    return SERVER.rsplit("/", 1)[0] + "/" + name

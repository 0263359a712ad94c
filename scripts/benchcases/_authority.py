"""What the sync benchmarks (``sync``, ``sync_side``) share: scratch databases on the PostgreSQL
server they measure against, and the store or raw connections each side's timed call uses,
opened and closed untimed around it."""

from __future__ import annotations

import atexit
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import apsw

import cortexdb

SERVER = os.environ.get("CORTEXDB_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def url(name: str) -> str:
    """The address of database ``name`` on SERVER."""
    return SERVER.rsplit("/", 1)[0] + "/" + name


class Scratch:
    """Databases made for one benchmark run, all dropped at its end (or at exit, when a case fails)."""

    def __init__(self, admin: Any, label: str) -> None:
        self.admin = admin
        self.prefix = f"cortexdb_bench_{label}_{uuid.uuid4().hex[:8]}"
        self.databases: list[str] = []
        atexit.register(self.drop)

    @classmethod
    def connect(cls, label: str) -> Scratch | None:
        """A scratch set on SERVER, or None (saying why) when PostgreSQL is not reachable."""
        import psycopg

        try:
            admin = psycopg.connect(SERVER, autocommit=True, connect_timeout=3)
        except psycopg.OperationalError as error:
            print(f"{label}: skipped, PostgreSQL not reachable at {SERVER} ({error})")
            return None
        return cls(admin, label)

    def create(self, suffix: str, template: str | None = None) -> str:
        """A new database named with ``suffix`` (a copy of ``template`` if given); returns its name."""
        name = f"{self.prefix}_{suffix}"
        self.admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        self.databases.append(name)
        return name

    def prepared(self, kind: str, blank: str, store: Path, workdir: Path, count: int) -> Iterator[tuple[Path, str]]:
        """``count`` (copy of ``store``, address of a fresh copy of ``blank``) pairs, one per timed call."""
        for i in range(count):
            name = self.create(f"{kind}{i}", blank)
            home = workdir / f"{kind}{i}"
            shutil.copytree(store, home)
            yield home, url(name)

    def drop(self) -> None:
        for name in self.databases:
            self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.databases.clear()


class Sides:
    """What each side's next timed call uses: (store or apsw connection, psycopg connection)."""

    def __init__(self) -> None:
        self.opened: dict[str, tuple[Any, Any]] = {}

    def __getitem__(self, side: str) -> tuple[Any, Any]:
        return self.opened[side]

    def release(self) -> None:
        for local, pg in self.opened.values():
            local.close()
            pg.close()
        self.opened.clear()

    def open_store(self, side: str, home: Path, authority: str) -> None:
        """cortexdb: the store and its authority connection (connect + ledger check), untimed."""
        self.release()
        db = cortexdb.open(home, authority=authority)
        pg, _state = db.sync._connection()
        db.sync.store_id                                        # noqa: B018 (read once, cached)
        self.opened[side] = (db, pg)

    def open_raw(self, side: str, home: Path, authority: str, tier: str = "tier2") -> None:
        """raw: an apsw connection to the tier file and a psycopg connection, untimed."""
        import psycopg

        self.release()
        self.opened[side] = (apsw.Connection(str(home / f"{tier}.db")), psycopg.connect(authority, autocommit=True))

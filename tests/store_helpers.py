"""Helpers for the foundation tests (importable by name; conftest modules are not)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from cortexdb import migrations


def write_migration(root: Path, module: str, tier: str, number: int, name: str, sql: str) -> Path:
    folder = root / module / tier
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{number:04d}_{name}.sql"
    path.write_text(sql, "utf-8")
    migrations.reload()
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()

"""The README's Python example runs as written, against a store in a temporary home."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORTEXDB_HOME", str(tmp_path / "home"))
    block = re.findall(r"```python\n(.*?)```", README.read_text("utf-8"), re.S)[0]
    exec(compile(block, str(README), "exec"), {})
    assert (tmp_path / "home" / "tier1.db").exists()

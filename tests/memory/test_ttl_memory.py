"""TTL memory: values, expiry by the store clock, namespaces, access counting, bad input."""

from __future__ import annotations

import pytest

import cortexdb
from cortexdb.clock import ManualClock
from cortexdb.errors import ReadOnlyError, ValidationError
from cortexdb.memory import ttl


@pytest.mark.parametrize("value", [None, True, 0, -5, 2**63 - 1, 1.5, "", "text \x00 ☃ 🚀", [], {},
                                   {"nested": [1, {"a": None}]}, b"", b"\x00\xff raw", bytearray(b"ba")])
def test_values_round_trip(db, value):
    db.memory.set("k", value)
    expected = bytes(value) if isinstance(value, bytearray) else value
    got = db.memory.get("k", default="MISSING")
    assert got == expected and type(got) is type(expected)


def test_expiry_follows_the_store_clock(db, clock):
    db.memory.set("short", "v", ttl=10, namespace="ctx")
    db.memory.set("forever", "v", namespace="ctx")
    clock.advance(9.999)
    assert db.memory.get("short", namespace="ctx") == "v"
    clock.advance(0.001)
    assert db.memory.get("short", namespace="ctx", default="miss") == "miss"
    assert db.memory.entry("short", namespace="ctx") is None
    assert db.memory.keys(namespace="ctx") == ["forever"]
    assert db.memory.purge_expired() == 1
    assert db.query("SELECT key FROM structured_memory") == [{"key": "forever"}]
    assert db.memory.purge_expired() == 0


def test_namespaces_are_separate(db):
    db.memory.set("k", 1, namespace="a")
    db.memory.set("k", 2, namespace="b")
    db.memory.set("other", 3, namespace="b")
    assert db.memory.get("k", namespace="a") == 1 and db.memory.get("k", namespace="b") == 2
    assert db.memory.get("k") is None
    assert db.memory.namespaces() == {"a": 1, "b": 2}
    assert db.memory.keys(namespace="b", prefix="o") == ["other"]
    assert db.memory.clear(namespace="b") == 2
    assert db.memory.get("k", namespace="a") == 1
    assert db.memory.delete("k", namespace="a") is True and db.memory.delete("k", namespace="a") is False


def test_access_count_and_last_accessed(db, clock):
    db.memory.set("k", "v", ttl=100)
    assert db.memory.entry("k").access_count == 0
    for _ in range(3):
        clock.advance(1)
        db.memory.get("k")
    db.memory.get("missing")
    entry = db.memory.entry("k")
    assert entry.access_count == 3 and entry.last_accessed == "2026-01-01 00:00:03.000"
    assert entry.expires_at == pytest.approx(ManualClock().now + 100)
    # buffered hits reach the table once FLUSH_SECONDS have passed, or on flush()
    db.memory.get("k")
    assert db.query("SELECT access_count FROM structured_memory")[0]["access_count"] == 3
    clock.advance(ttl.FLUSH_SECONDS)
    db.memory.get("k")
    assert db.query("SELECT access_count FROM structured_memory")[0]["access_count"] == 5
    db.memory.get("k")
    assert db.memory.flush() == 1 and db.memory.flush() == 0
    assert db.query("SELECT access_count FROM structured_memory")[0]["access_count"] == 6


def test_many_distinct_keys_flush(db, monkeypatch):
    monkeypatch.setattr(ttl, "MAX_PENDING_KEYS", 3)
    for name in "abc":
        db.memory.set(name, name)
    for name in "ab":
        db.memory.get(name)
    assert db.query("SELECT sum(access_count) AS n FROM structured_memory")[0]["n"] == 0
    db.memory.get("c")
    assert db.query("SELECT sum(access_count) AS n FROM structured_memory")[0]["n"] == 3


def test_overwrite_keeps_history_unless_expired(db, clock):
    db.memory.set("k", "one", ttl=5)
    db.memory.get("k")
    clock.advance(1)
    db.memory.set("k", "two", ttl=5)
    entry = db.memory.entry("k")
    assert entry.value == "two" and entry.access_count == 1 and entry.created_at == "2026-01-01 00:00:00.000"
    assert entry.updated_at == "2026-01-01 00:00:01.000"
    clock.advance(10)
    db.memory.set("k", b"three")
    entry = db.memory.entry("k")
    assert entry.value == b"three" and entry.value_type == "bytes" and entry.access_count == 0
    assert entry.created_at == "2026-01-01 00:00:11.000" and entry.expires_at is None


def test_large_values(db):
    big = "x\x00" * (5 * 1024 * 1024)
    db.memory.set("big", {"text": big})
    db.memory.set("blob", b"\x01" * (10 * 1024 * 1024))
    assert db.memory.get("big") == {"text": big}
    assert len(db.memory.get("blob")) == 10 * 1024 * 1024


@pytest.mark.parametrize(("call", "field"), [
    (lambda db: db.memory.set("", 1), "key"),
    (lambda db: db.memory.set(5, 1), "key"),
    (lambda db: db.memory.set("k\ud800", 1), "key"),
    (lambda db: db.memory.set("k", 1, namespace=""), "namespace"),
    (lambda db: db.memory.set("k", 1, ttl=0), "ttl"),
    (lambda db: db.memory.set("k", 1, ttl=-3), "ttl"),
    (lambda db: db.memory.set("k", 1, ttl=float("inf")), "ttl"),
    (lambda db: db.memory.set("k", 1, ttl="60"), "ttl"),
    (lambda db: db.memory.set("k", {1: 2}), "value"),
    (lambda db: db.memory.set("k", (1, 2)), "value"),
    (lambda db: db.memory.set("k", "lone \udc80"), "value"),
    (lambda db: db.memory.set("k", object()), "value"),
    (lambda db: db.memory.get("k\udc80"), "key"),
    (lambda db: db.memory.get(None), "key"),
])
def test_bad_input_names_the_field(db, call, field):
    db.memory.set("k", "kept")
    with pytest.raises(ValidationError) as error:
        call(db)
    assert error.value.field == field
    assert db.memory.get("k") == "kept"


def test_read_only_store_reads_without_counting(tmp_path):
    with cortexdb.open(tmp_path / "s") as db:
        db.memory.set("k", [1])
    with cortexdb.open(tmp_path / "s", readonly=True) as ro:
        assert ro.memory.get("k") == [1]
        assert ro.memory.entry("k").access_count == 0
        with pytest.raises(ReadOnlyError):
            ro.memory.set("k", 2)


def test_buffered_counts_are_written_on_close(tmp_path):
    with cortexdb.open(tmp_path / "s") as db:
        db.memory.set("k", 1)
        db.memory.get("k")
        db.memory.get("k")
    with cortexdb.open(tmp_path / "s") as db:
        assert db.memory.entry("k").access_count == 2

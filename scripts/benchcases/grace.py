"""The Grace pack: bronze ingestion with the PII scan, and fusion memory reads, beside raw apsw.

Bronze: 100k events per run through ``db.grace.ingress.ingest_many`` (scan, policy ``mask``,
canonical JSON, content hash, one transaction) beside a raw executemany of the same events
(uuid + orjson + INSERT, one transaction) on the store's own tier2.db; and the scan alone beside
that raw insert (the issue's "the scan should cost less than the insert": ratio < 1).
Fusion: 1000 ``get`` calls of a 4 KB entry (zstd-compressed: decompression, sha256 check, access
count written) beside 1000 raw primary-key SELECTs of the blob.
"""

from __future__ import annotations

import random
import sys
import uuid
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import Case
from benchcases.memory import raw_connection, sentence

import cortexdb

EVENTS = 100_000


def cases(workdir: Path) -> list[Case]:
    rng = random.Random(4)
    db = cortexdb.open(workdir / "store", modules=["grace"])
    ingress = db.grace.ingress
    ingress.add_source("bench", "Bench feed", pii_policy="mask")
    raw = raw_connection(workdir / "store" / "tier2.db")
    payloads = []
    for i in range(EVENTS):
        text = sentence(rng, 16)
        if i % 20 == 0:  # one event in twenty carries personal data
            text += rng.choice([" mail ana@example.com", " call +1 415-555-0132", " card 4111 1111 1111 1111"])
        payloads.append({"seq": i, "text": text, "lang": "en", "tags": ["bench", "bronze"]})
    ts = db.timestamp()

    def ingest() -> None:
        ingress.ingest_many("bench", payloads)

    def raw_insert() -> None:
        rows = [(str(uuid.uuid4()), "bench", orjson.dumps(p).decode(), "-", ts) for p in payloads]
        raw.execute("BEGIN IMMEDIATE")
        raw.executemany("INSERT INTO bronze_raw_events (event_id, source_id, payload_json, content_hash, ingested_at) "
                        "VALUES (?, ?, ?, ?, ?)", rows)
        raw.execute("COMMIT")

    scanner = ingress._scanner

    def scan_only() -> None:
        for p in payloads:
            scanner.scan(p, "mask")

    memory = db.grace.memory
    blob = (" ".join(sentence(rng, 8) for _ in range(60))).encode()[:4096]
    memory.put("doc", blob, tags=["bench"])
    keys = ["doc"] * 1000

    def fusion_get() -> None:
        for key in keys:
            memory.get(key)

    def raw_get() -> None:
        for key in keys:
            raw.execute("SELECT content FROM fusion_memory WHERE key = ?", (key,)).fetchall()

    def raw_get_same_work() -> None:
        """What get() does, by hand: one transaction with the access-count UPDATE ... RETURNING,
        zstd decompression and the sha256 check."""
        import hashlib

        import zstandard

        decompressor = zstandard.ZstdDecompressor()
        for key in keys:
            raw.execute("BEGIN IMMEDIATE")
            row = raw.execute("UPDATE fusion_memory SET accessed_count = accessed_count + 1, last_accessed_at = ? "
                              "WHERE key = ? RETURNING content, checksum", (ts, key)).fetchall()[0]
            raw.execute("COMMIT")
            assert hashlib.sha256(decompressor.decompress(row[0])).hexdigest() == row[1]

    def close() -> None:
        raw.close()
        db.close()

    return [
        Case("bronze ingest 100k, PII scan (mask)", ingest, raw_insert, ops=EVENTS, repeat=5,
             notes="ingest_many vs raw executemany (uuid + orjson + INSERT), one transaction each"),
        Case("PII scan alone, 100k events", scan_only, raw_insert, ops=EVENTS, repeat=5, target=1.0,
             notes="the scan alone vs the raw insert: below 1 means the scan costs less than the insert"),
        Case("fusion get 4KB zstd (1000)", fusion_get, raw_get, ops=1000, repeat=9,
             notes="decompress + sha256 + access count write vs a raw PK select of the blob"),
        Case("fusion get vs raw same work (1000)", fusion_get, raw_get_same_work, ops=1000, repeat=9, teardown=close,
             notes="vs raw apsw doing the same: UPDATE ... RETURNING in a transaction, decompress, sha256"),
    ]

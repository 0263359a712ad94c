"""``cortexdb doctor``: schema drift detection and the two-path migration check (seed 003).

:func:`check` compares each tier's live schema (``sqlite_master``, normalized) with the schema
that the migrations recorded in that tier's ledger produce when applied to an empty file.
Exit codes follow seed 003's drift detector:

- 0: no drift;
- 1: drift (each missing, extra or changed object listed);
- 2: error (the check itself could not run);
- 3: regression, a hard fail: the store has a migration this package does not know (it is newer
  than the package), an applied migration's file changed (checksum), or a module's version went
  backwards since the previous run.

Each run is appended to ``tier0.drift_history``; :func:`trend` reads it back.

:func:`two_path` is seed 003's two-path migration contract for every tier: path A applies every
migration to an empty file, path B bootstraps from ``schema/snapshot`` and stamps the ledger, path
C upgrades an older store (all but each module's newest migration applied first). All three must
give the same schema and ledger. For each opt-in pack, path D (a path-B store that enables the pack
later) must equal path A with the pack.
"""

from __future__ import annotations

import functools
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import _sqlite, migrations
from .._boundary import public_function
from .._json import dumps, loads
from .._version import __version__
from ..clock import system_clock
from ..errors import CortexError
from ..graph.property_indexes import user_index_names
from ..memory._common import limit as limit_value

if TYPE_CHECKING:
    from ..store import Store

EXIT_OK, EXIT_DRIFT, EXIT_ERROR, EXIT_REGRESSION = 0, 1, 2, 3
STATUS = {EXIT_OK: "ok", EXIT_DRIFT: "drift", EXIT_ERROR: "error", EXIT_REGRESSION: "regression"}
Schema = list[tuple[str, str, str]]


@dataclass(frozen=True)
class Difference:
    """One schema object that differs: ``missing`` (expected, not live), ``extra`` (live, not
    expected) or ``changed`` (both, different SQL)."""

    tier: str
    kind: str
    type: str
    name: str
    expected: str | None
    live: str | None


@dataclass(frozen=True)
class Regression:
    """A hard failure: ``newer_than_package``, ``checksum_changed`` or ``version_backwards``."""

    tier: str
    kind: str
    detail: str


@dataclass(frozen=True)
class DoctorReport:
    """What ``cortexdb doctor`` prints; ``exit_code`` is the process exit status."""

    exit_code: int
    status: str
    checked_at: str
    differences: list[Difference] = field(default_factory=list)
    regressions: list[Regression] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    versions: dict[str, dict[str, int]] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True)
class TwoPathTier:
    tier: str
    ok: bool
    problems: list[str]


@dataclass(frozen=True)
class TwoPathReport:
    """Seed 003's two-path check (plus path C, an older store upgraded) for every tier."""

    ok: bool
    tiers: list[TwoPathTier]

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.ok else EXIT_DRIFT


# -- schema comparison --------------------------------------------------------------------------

def compare(tier: str, expected: Schema, live: Schema) -> list[Difference]:
    """Differences between two normalized schemas (see ``migrations.normalized_schema``)."""
    want = {(t, n): s for t, n, s in expected}
    have = {(t, n): s for t, n, s in live}
    out = []
    for key in sorted(set(want) | set(have)):
        if key not in have:
            out.append(Difference(tier, "missing", key[0], key[1], want[key], None))
        elif key not in want:
            out.append(Difference(tier, "extra", key[0], key[1], None, have[key]))
        elif want[key] != have[key]:
            out.append(Difference(tier, "changed", key[0], key[1], want[key], have[key]))
    return out


def _migrator(path: Path, tier: str, roots: tuple[Path, ...]) -> migrations.TierMigrator:
    return migrations.TierMigrator(path, tier, roots=roots, busy_ms=1000, clock=system_clock, backups_dir=None,
                                   keep_backups=0)


@functools.lru_cache(maxsize=32)
def expected_schema(roots: tuple[Path, ...], tier: str, applied: tuple[tuple[str, int], ...]) -> Schema:
    """The schema the given (module, version) migrations produce on an empty tier, in plan order."""
    modules = tuple(dict.fromkeys(m for m, _v in applied))
    wanted = set(applied)
    order = [m for m in migrations.plan(roots, tier, (*migrations.BASE_MODULES, *modules))
             if (m.module, m.version) in wanted]
    order = list({(m.module, m.version): m for m in order}.values())
    with tempfile.TemporaryDirectory(prefix="cortexdb-doctor-") as tmp:
        migrator = _migrator(Path(tmp) / f"{tier}.db", tier, roots)
        try:
            migrator.claim()
            for migration in order:
                migrator._apply(migration)
            return migrations.normalized_schema(migrator.conn)
        finally:
            migrator.close()


# -- the drift check ----------------------------------------------------------------------------

@public_function
def check(store: Store, *, record: bool = True) -> DoctorReport:
    """Compare every tier's live schema with the one expected at its recorded versions."""
    checked_at = store.timestamp()
    try:
        report = _check(store, checked_at)
    except Exception as error:
        report = DoctorReport(EXIT_ERROR, "error", checked_at, error=f"{type(error).__name__}: {error}")
    if record and not store.readonly and store.execute(
            "SELECT 1 FROM tier0.sqlite_master WHERE type = 'table' AND name = 'drift_history'"):
        details = {"differences": [f"{d.tier} {d.kind} {d.type} {d.name}" for d in report.differences],
                   "regressions": [f"{r.tier} {r.kind}: {r.detail}" for r in report.regressions],
                   "pending": report.pending, "error": report.error}
        with store.transaction():
            store.execute(
                "INSERT INTO tier0.drift_history (checked_at, exit_code, status, drift_count, regression_count, "
                "library_version, versions, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (checked_at, report.exit_code, report.status, len(report.differences), len(report.regressions),
                 __version__, dumps(report.versions), dumps(details)))
    return report


def _check(store: Store, checked_at: str) -> DoctorReport:
    roots = store._roots
    cat = migrations.catalog(roots)
    known = migrations.known_modules(roots)
    differences: list[Difference] = []
    regressions: list[Regression] = []
    pending: list[str] = []
    versions: dict[str, dict[str, int]] = {}
    previous = _previous_versions(store)
    for tier in _sqlite.TIERS:
        has_ledger = store.execute(f"SELECT 1 FROM {tier}.sqlite_master WHERE name = ?", (migrations.LEDGER,))
        rows = store.execute(f"SELECT module, version, name, checksum FROM {tier}.{migrations.LEDGER} "
                             "ORDER BY module, version") if has_ledger else []
        applied: list[tuple[str, int]] = []
        for module, version, name, checksum in rows:
            files = {m.version: m for m in cat.get((module, tier), ())}
            versions.setdefault(tier, {})[module] = max(version, versions.get(tier, {}).get(module, 0))
            if module not in known or version not in files:
                regressions.append(Regression(tier, "newer_than_package",
                                              f"{module} {version:04d}_{name} is applied but this cortexdb "
                                              f"({__version__}) does not have it: upgrade cortexdb"))
                continue
            if files[version].checksum != checksum:
                regressions.append(Regression(tier, "checksum_changed",
                                              f"{files[version].label} changed after it was applied; restore the "
                                              "file or add a new migration"))
            applied.append((module, version))
        for module, version in (previous.get(tier) or {}).items():
            now = versions.get(tier, {}).get(module, 0)
            if now < version:
                regressions.append(Regression(tier, "version_backwards",
                                              f"{module} went from version {version} (previous doctor run) to {now}"))
        done = set(applied)
        pending += [f"{tier}: {m.module} {m.version:04d}_{m.name}" for m in migrations.plan(roots, tier, store.modules)
                    if (m.module, m.version) not in done]
        if not has_ledger:
            continue
        expected = expected_schema(roots, tier, tuple(applied))
        live = migrations.normalized_schema(store.conn, tier)
        if tier == "tier2":  # indexes users declared on entity properties are expected, not drift
            declared = user_index_names(store)
            live = [row for row in live if not (row[0] == "index" and row[1] in declared)]
        differences += compare(tier, expected, live)
    code = EXIT_REGRESSION if regressions else EXIT_DRIFT if differences else EXIT_OK
    return DoctorReport(code, STATUS[code], checked_at, differences, regressions, pending, versions)


def _previous_versions(store: Store) -> dict[str, dict[str, int]]:
    if not store.execute("SELECT 1 FROM tier0.sqlite_master WHERE type = 'table' AND name = 'drift_history'"):
        return {}
    rows = store.execute("SELECT versions FROM tier0.drift_history WHERE exit_code != 2 ORDER BY id DESC LIMIT 1")
    return loads(rows[0][0]) if rows else {}


@public_function
def trend(store: Store, *, limit: int = 20) -> list[dict[str, Any]]:
    """The newest ``limit`` doctor runs (exit code, counts, versions), newest first."""
    if not store.execute("SELECT 1 FROM tier0.sqlite_master WHERE type = 'table' AND name = 'drift_history'"):
        return []
    rows = store.execute("SELECT id, checked_at, exit_code, status, drift_count, regression_count, library_version, "
                         "details FROM tier0.drift_history ORDER BY id DESC LIMIT ?", (limit_value(limit),))
    keys = ("id", "checked_at", "exit_code", "status", "drift_count", "regression_count", "library_version", "details")
    return [dict(zip(keys, (*r[:7], loads(r[7])), strict=True)) for r in rows]


# -- the two-path check -------------------------------------------------------------------------

@public_function
def two_path(roots: tuple[Path, ...] | None = None, *, packs: Iterable[str] | None = None) -> TwoPathReport:
    """Path A (every migration from empty) vs path B (snapshot + stamp) vs path C (an older
    store upgraded), for every tier of the always-installed modules; then per opt-in pack
    (``packs``, default every module found beyond the base ones) path D vs path A with the pack."""
    roots = roots or migrations.schema_roots()
    opt_in = sorted(migrations.known_modules(roots) - set(migrations.BASE_MODULES)) if packs is None else list(packs)
    tiers = []
    for tier in _sqlite.TIERS:
        problems: list[str] = []
        plan = migrations.plan(roots, tier, migrations.BASE_MODULES)
        with tempfile.TemporaryDirectory(prefix="cortexdb-two-path-") as tmp:
            a = _build(Path(tmp) / "a.db", tier, roots, plan, upgrade=False)
            if migrations.read_snapshot(roots, tier) is None:
                problems.append(f"schema/snapshot/{tier}.sql is missing or stale: run scripts/dump_schema.py")
                b = None
            else:
                b = _build(Path(tmp) / "b.db", tier, roots, [], upgrade=True)
            newest, counts = {}, Counter(m.module for m in plan)
            for m in plan:
                newest[m.module] = m
            # an older store lacks each module's newest migration, but keeps a module's only one
            # (a later module's first migration may build on it, as governance's triggers on core's tables)
            older = [m for m in plan if newest[m.module] is not m or counts[m.module] == 1]
            c = _build(Path(tmp) / "c.db", tier, roots, older, upgrade=True)
            pairs = [("B (snapshot + stamp) vs A", a, b), ("C (older store upgraded) vs A", a, c)]
            for pack in opt_in:
                modules = (*migrations.BASE_MODULES, pack)
                try:
                    with_pack = _build(Path(tmp) / f"a-{pack}.db", tier, roots, migrations.plan(roots, tier, modules),
                                       upgrade=False)
                    later = _build(Path(tmp) / f"d-{pack}.db", tier, roots, [], upgrade=True, then=modules)
                except CortexError as error:
                    problems.append(f"pack {pack}: {error}")
                    continue
                pairs.append((f"D (store enabling {pack} later) vs A with {pack}", with_pack, later))
        for label, base, other in pairs:
            if other is None:
                continue
            for diff in compare(tier, base[0], other[0]):
                problems.append(f"path {label}: {diff.kind} {diff.type} {diff.name}")
            if other[1] != base[1]:
                problems.append(f"path {label}: ledgers differ ({sorted(set(other[1]) ^ set(base[1]))})")
        tiers.append(TwoPathTier(tier, not problems, problems))
    return TwoPathReport(all(t.ok for t in tiers), tiers)


def _build(path: Path, tier: str, roots: tuple[Path, ...], first: Iterable[migrations.Migration], *,
           upgrade: bool, then: tuple[str, ...] | None = None) -> tuple[Schema, list[tuple[str, int, str]]]:
    """Apply ``first`` to a new tier file, then (``upgrade``) open it as a store of the base
    modules would, then (``then``) as one enabling more modules; return its schema and ledger."""
    migrator = _migrator(path, tier, roots)
    try:
        migrator.claim()
        for migration in first:
            migrator._apply(migration)
        if upgrade:
            migrator.upgrade(migrations.BASE_MODULES)
        if then:
            migrator.upgrade(then)
        ledger = sorted((a.module, a.version, a.checksum) for a in migrator.applied().values())
        return migrations.normalized_schema(migrator.conn), ledger
    finally:
        migrator.close()

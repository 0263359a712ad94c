"""``db.migrations``: status, upgrade, rollback and new migration files (``cortexdb migrate``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import _sqlite, authority, migrations
from ._boundary import public_api
from .errors import MigrationError, NotFoundError, ValidationError, wrap_apsw

if TYPE_CHECKING:
    from .store import Store

MIGRATION_TEMPLATE = """-- {module}/{tier}: {name}
-- Forward SQL first. Use IF NOT EXISTS, and ALTER TABLE .. ADD COLUMN (guarded: skipped when the
-- column exists). Tables joined by a FOREIGN KEY must share a tier.

-- down
-- SQL that reverses the forward part; delete this section if the migration cannot be reversed.
"""


@dataclass(frozen=True)
class MigrationInfo:
    """One migration of one tier: ``applied``, ``pending``, ``missing`` (in the ledger, file gone)
    or ``changed`` (file differs from what was applied)."""

    module: str
    tier: str
    version: int
    name: str
    state: str
    applied_at: str | None = None


_CREATED = re.compile(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*[(\s]",
                      re.IGNORECASE)


@dataclass(frozen=True)
class TableInfo:
    """One table of ``schema list``: the module that created it, its component, tier and rows."""

    module: str
    component: str
    tier: str
    table: str
    rows: int


@public_api
class SchemaManager:
    """Migration status and control for one store."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def migrator(self, tier: str) -> migrations.TierMigrator:
        """A migrator on its own connection to one tier file (close it when done)."""
        store = self._store
        with wrap_apsw():
            return migrations.TierMigrator(
                store.home / f"{tier}.db", tier, roots=store._roots, busy_ms=store._busy_ms, clock=store.clock,
                backups_dir=store.home / "backups", keep_backups=store._keep_backups, readonly=store.readonly)

    def tables(self, module: str | None = None) -> list[TableInfo]:
        """The tables each enabled module created (from its migrations; full-text indexes are not
        listed), with component and row count: the Grace pack's tables carry their component,
        other modules' their module name. ``module="grace"`` lists the pack's 81 tables,
        including the core tables it reuses."""
        from .packs.grace.catalog import BY_NAME, COMPONENTS

        store = self._store
        if module is not None:
            migrations.validate_name("module", module)
            if module not in store.modules:
                raise NotFoundError(f"module {module!r} is not enabled on this store (enabled: {', '.join(store.modules)})")
        present = {(tier, r[0]) for tier in _sqlite.TIERS
                   for r in store.execute(f"SELECT name FROM {tier}.sqlite_master WHERE type = 'table'")}
        out: list[TableInfo] = []
        seen: set[tuple[str, str]] = set()
        for (owner, tier), items in migrations.catalog(store._roots).items():
            if owner not in store.modules:
                continue
            for migration in items:
                for name in _CREATED.findall(migration.up):
                    if (tier, name) in seen or (tier, name) not in present:
                        continue
                    seen.add((tier, name))
                    grace = BY_NAME.get(name)
                    component = grace.component if grace and grace.tier == tier else owner
                    if module is not None and owner != module and not (module == "grace" and grace and grace.tier == tier):
                        continue
                    rows = store.execute(f'SELECT count(*) FROM {tier}."{name}"')[0][0]
                    out.append(TableInfo(owner, component, tier, name, rows))
        order = {name: 100 + i for i, name in enumerate(store.modules)} | {c: i for i, c in enumerate(COMPONENTS)}
        return sorted(out, key=lambda t: (order.get(t.component, order.get(t.module, 999)), t.tier, t.table))

    def status(self) -> list[MigrationInfo]:
        """Every migration of every tier with its state, in tier and version order."""
        store = self._store
        cat = migrations.catalog(store._roots)
        out: list[MigrationInfo] = []
        for tier in _sqlite.TIERS:
            rows = store.query(
                f"SELECT module, version, name, checksum, applied_at FROM {tier}.{migrations.LEDGER} ORDER BY module, version"
            ) if store.query(f"SELECT 1 FROM {tier}.sqlite_master WHERE name = ?", (migrations.LEDGER,)) else []
            applied = {(r["module"], r["version"]): r for r in rows}
            modules = list(dict.fromkeys([*store.modules, *(m for m, _v in applied)]))
            for module in modules:
                files = {m.version: m for m in cat.get((module, tier), ())}
                for version in sorted(set(files) | {v for m, v in applied if m == module}):
                    row, migration = applied.get((module, version)), files.get(version)
                    if row is None:
                        state = "pending"
                    elif migration is None:
                        state = "missing"
                    else:
                        state = "applied" if migration.checksum == row["checksum"] else "changed"
                    name = migration.name if migration is not None else row["name"] if row is not None else "?"
                    out.append(MigrationInfo(module, tier, version, name, state, row["applied_at"] if row else None))
        return out

    def pending(self) -> list[MigrationInfo]:
        return [m for m in self.status() if m.state == "pending"]

    def up(self, *, dry_run: bool = False) -> list[MigrationInfo]:
        """Apply every pending migration (backing each changed tier up first); return them.

        With ``dry_run`` nothing changes and the pending list is returned.
        """
        if not dry_run:
            self._store.require_writable()
        todo = self.pending()
        if dry_run or not todo:
            return todo
        from .store import _record_identity

        authority.check_migrations(self._store.role, self._store.confirm_migrations, self._store.home,
                                   [f"{m.tier}: {m.module} {m.version:04d}_{m.name}" for m in todo])
        with _sqlite.home_lock(self._store.home):
            for tier in dict.fromkeys(m.tier for m in todo):
                migrator = self.migrator(tier)
                try:
                    with wrap_apsw():
                        migrator.upgrade(self._store.modules)
                finally:
                    migrator.close()
            _record_identity(self._store, None)
        return todo

    def rollback(self, module: str | None = None, tier: str | None = None) -> MigrationInfo:
        """Reverse the most recently applied migration of ``module`` (of any module if None, like
        seed 002's ``migrate rollback``; in ``tier`` if given) using its ``-- down`` section. The
        next open re-applies it unless its file is changed or removed, so this is a development
        tool; production stores restore from backups/."""
        self._store.require_writable()
        applied = [m for m in self.status() if (module is None or m.module == module) and m.state != "pending"
                   and (tier is None or m.tier == tier)]
        if not applied:
            raise NotFoundError(f"{'no module' if module is None else f'module {module!r}'} has an applied "
                                f"migration{f' in {tier}' if tier else ''}")
        order = list(dict.fromkeys([*self._store.modules, *(m.module for m in applied)]))
        # ties in applied_at (one open applies many): tiers migrate in order, modules in plan order
        last = max(applied, key=lambda m: (m.applied_at or "", m.tier, order.index(m.module), m.version))
        migrator = self.migrator(last.tier)
        try:
            with wrap_apsw():
                if migrator.rollback_last(last.module) is None:
                    raise MigrationError(f"nothing to roll back for {last.module} in {last.tier}")
        finally:
            migrator.close()
        return MigrationInfo(last.module, last.tier, last.version, last.name, "rolled_back", last.applied_at)


def create_migration(module: str, tier: str, name: str, schema_dir: Path) -> Path:
    """Write the next numbered, empty migration file for ``module``/``tier`` and return its path."""
    migrations.validate_name("module", module)
    migrations.validate_name("name", name)
    if tier not in _sqlite.TIERS:
        raise ValidationError("tier", f"{tier!r} is not one of {', '.join(_sqlite.TIERS)}")
    folder = schema_dir / module / tier
    folder.mkdir(parents=True, exist_ok=True)
    numbers = [int(p.name[:4]) for p in folder.glob("[0-9][0-9][0-9][0-9]_*.sql")]
    path = folder / f"{max(numbers, default=0) + 1:04d}_{name}.sql"
    path.write_text(MIGRATION_TEMPLATE.format(module=module, tier=tier, name=name), "utf-8")
    return path

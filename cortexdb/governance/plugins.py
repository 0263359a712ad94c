"""``db.plugins``: the plugin registry (seed 001 ``plugins``) and hook runs recorded in
``plugin_hook_executions``.

A plugin is registered with its metadata (stored in tier0, audited) and a callable kept in this
process: ``callable(hook, context) -> JSON-able result``. ``run_hook(hook, context)`` runs the
enabled plugins declaring that hook, dependencies first, then higher ``priority`` first (ties by
plugin id). Each run is one ``plugin_hook_executions`` row: inserted as ``running`` before the
call and completed with status, duration, error and result afterwards.

A plugin that raises, returns something that is not JSON, or overruns its time budget is recorded
``failed``; the others still run. Plugins depending on a failed, missing or disabled plugin are
recorded failed without being called. The time budget is enforced by running the callable in a
daemon thread and no longer waiting for it: Python cannot kill a thread, so an overrunning plugin
keeps running in the background until it returns (its late result is discarded).
"""

from __future__ import annotations

import builtins
import heapq
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._boundary import public_api
from .._json import dumps, loads
from ..errors import NotFoundError, ValidationError
from ..memory._common import limit as limit_value
from ..memory._common import number

if TYPE_CHECKING:
    from ..store import Store

PluginCallable = Callable[[str, dict[str, Any]], Any]
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")
DEFAULT_BUDGET = 5.0
MAX_BUDGET = 86_400.0


@dataclass(frozen=True)
class Plugin:
    """A registered plugin; ``loaded`` says whether this process holds its callable."""

    plugin_id: str
    name: str
    version: str
    category: str
    priority: int
    hooks: tuple[str, ...]
    dependencies: tuple[str, ...]
    enabled: bool
    description: str | None
    author: str | None
    registered_at: str
    loaded: bool


@dataclass(frozen=True)
class HookExecution:
    """One plugin's run of one hook, as recorded in ``plugin_hook_executions``."""

    execution_id: int
    plugin_id: str
    hook: str
    status: str
    duration_ms: float
    error: str | None
    result: Any


@public_api
class PluginRegistry:
    """Registered plugins of one store and their hook runs."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._callables: dict[str, tuple[PluginCallable, float]] = {}

    # -- registry ------------------------------------------------------------------------------
    def register(self, plugin_id: str, name: str, version: str, category: str, priority: int,
                 hooks: Sequence[str], dependencies: Sequence[str], callable: PluginCallable, *,
                 description: str | None = None, author: str | None = None, time_budget: float = DEFAULT_BUDGET) -> Plugin:
        """Register (or re-register, keeping its enabled flag) a plugin and its callable."""
        if not isinstance(plugin_id, str) or not _ID.match(plugin_id):
            raise ValidationError("plugin_id", "1-128 characters: letters, digits, _ . : - (starting with a letter or digit)")
        for field, value in (("name", name), ("version", version), ("category", category)):
            if not isinstance(value, str) or not value.strip():
                raise ValidationError(field, "must be a non-empty string")
        if not isinstance(priority, int) or isinstance(priority, bool):
            raise ValidationError("priority", "must be an integer")
        hooks = _names("hooks", hooks)
        dependencies = _names("dependencies", dependencies)
        if plugin_id in dependencies:
            raise ValidationError("dependencies", "a plugin cannot depend on itself")
        if not callable_(callable):
            raise ValidationError("callable", "must be callable as callable(hook, context)")
        time_budget = budget(time_budget)
        store = self._store
        with store.transaction():
            store.execute(
                "INSERT INTO tier0.plugins (plugin_id, name, version, category, priority, description, author, "
                "dependencies, hooks, enabled, registered_at) VALUES (?,?,?,?,?,?,?,?,?,1,?) "
                "ON CONFLICT (plugin_id) DO UPDATE SET name = excluded.name, version = excluded.version, "
                "category = excluded.category, priority = excluded.priority, description = excluded.description, "
                "author = excluded.author, dependencies = excluded.dependencies, hooks = excluded.hooks",
                (plugin_id, name, version, category, priority, description, author, dumps(list(dependencies)),
                 dumps(list(hooks)), store.timestamp()))
        self._callables[plugin_id] = (callable, time_budget)
        store.audit.seal("tier0", strict=False)
        return self.get(plugin_id)

    def load(self, plugin_id: str, callable: PluginCallable, *, time_budget: float = DEFAULT_BUDGET) -> None:
        """Attach the callable of an already registered plugin in this process (no write)."""
        self.get(plugin_id)
        if not callable_(callable):
            raise ValidationError("callable", "must be callable as callable(hook, context)")
        self._callables[plugin_id] = (callable, budget(time_budget))

    def _set_enabled(self, plugin_id: str, enabled: bool) -> Plugin:
        store = self._store
        with store.transaction():
            store.execute("UPDATE tier0.plugins SET enabled = ? WHERE plugin_id = ?", (int(enabled), plugin_id))
            if not store.conn.changes():
                raise NotFoundError(f"no plugin {plugin_id!r}; see db.plugins.list()")
        store.audit.seal("tier0", strict=False)
        return self.get(plugin_id)

    def enable(self, plugin_id: str) -> Plugin:
        return self._set_enabled(plugin_id, True)

    def disable(self, plugin_id: str) -> Plugin:
        return self._set_enabled(plugin_id, False)

    def unregister(self, plugin_id: str) -> None:
        """Remove a plugin and (ON DELETE CASCADE) its execution records."""
        store = self._store
        with store.transaction():
            store.execute("DELETE FROM tier0.plugins WHERE plugin_id = ?", (plugin_id,))
            if not store.conn.changes():
                raise NotFoundError(f"no plugin {plugin_id!r}")
        self._callables.pop(plugin_id, None)
        store.audit.seal("tier0", strict=False)

    def get(self, plugin_id: str) -> Plugin:
        rows = self._select("WHERE plugin_id = ?", (plugin_id,))
        if not rows:
            raise NotFoundError(f"no plugin {plugin_id!r}; see db.plugins.list()")
        return rows[0]

    def list(self) -> builtins.list[Plugin]:
        """Every registered plugin, highest priority first."""
        return self._select("ORDER BY priority DESC, plugin_id", ())

    def _select(self, clause: str, params: tuple[Any, ...]) -> builtins.list[Plugin]:
        rows = self._store.execute(
            "SELECT plugin_id, name, version, category, priority, hooks, dependencies, enabled, description, author, "
            f"registered_at FROM tier0.plugins {clause}", params)
        return [Plugin(r[0], r[1], r[2], r[3], r[4], tuple(loads(r[5] or "[]")), tuple(loads(r[6] or "[]")),
                       bool(r[7]), r[8], r[9], r[10], r[0] in self._callables) for r in rows]

    # -- running -------------------------------------------------------------------------------
    def order(self, hook: str) -> builtins.list[str]:
        """The plugin ids ``run_hook(hook)`` would call, in order (dependencies, then priority)."""
        plugins = {p.plugin_id: p for p in self.list() if p.enabled and hook in p.hooks}
        ordered, _blocked = _topological(plugins)
        return ordered

    def run_hook(self, hook: str, context: dict[str, Any] | None = None, *,
                 time_budget: float | None = None) -> builtins.list[HookExecution]:
        """Run ``hook`` on every enabled plugin declaring it; return one record per plugin."""
        if not isinstance(hook, str) or not hook:
            raise ValidationError("hook", "must be a non-empty string")
        if time_budget is not None:
            budget(time_budget)
        store = self._store
        store.require_writable()
        context = {} if context is None else context
        context_json = dumps(context, field="context")
        everyone = {p.plugin_id: p for p in self.list()}
        plugins = {pid: p for pid, p in everyone.items() if p.enabled and hook in p.hooks}
        ordered, blocked = _topological(plugins)
        failed: set[str] = set()
        out: builtins.list[HookExecution] = []
        for plugin_id in [*ordered, *sorted(blocked)]:
            plugin = plugins[plugin_id]
            reason = None
            if plugin_id in blocked:
                reason = "dependency cycle among plugins: " + ", ".join(sorted(blocked))
            for dep in plugin.dependencies:
                dep_plugin = everyone.get(dep)
                if reason:
                    break
                if dep_plugin is None:
                    reason = f"dependency {dep!r} is not registered"
                elif not dep_plugin.enabled:
                    reason = f"dependency {dep!r} is disabled"
                elif dep in failed:
                    reason = f"dependency {dep!r} failed in this run"
            if reason is None and plugin_id not in self._callables:
                reason = "no callable loaded in this process (register it or call db.plugins.load)"
            out.append(self._run_one(plugin_id, hook, context, context_json, reason, time_budget))
            if out[-1].status != "success":
                failed.add(plugin_id)
        return out

    def _run_one(self, plugin_id: str, hook: str, context: dict[str, Any], context_json: str, refused: str | None,
                 budget_override: float | None) -> HookExecution:
        store = self._store
        with store.transaction():
            store.execute("INSERT INTO tier0.plugin_hook_executions (plugin_id, hook, started_at, status, context_json) "
                          "VALUES (?, ?, ?, 'running', ?)", (plugin_id, hook, store.timestamp(), context_json))
            execution_id = store.conn.last_insert_rowid()
        started = time.perf_counter()
        status, error, result, result_json = "failed", refused, None, None
        if refused is None:
            func, budget = self._callables[plugin_id]
            budget = budget_override if budget_override is not None else budget
            box: dict[str, Any] = {}

            def target() -> None:
                try:
                    box["value"] = func(hook, dict(context))
                except BaseException as exc:
                    box["error"] = exc

            thread = threading.Thread(target=target, name=f"cortexdb-plugin-{plugin_id}", daemon=True)
            thread.start()
            thread.join(budget)
            if thread.is_alive():
                error = (f"exceeded its time budget of {budget:g}s; it was abandoned (Python cannot stop a thread, "
                         "so it may still be running)")
            elif "error" in box:
                exc = box["error"]
                error = f"{type(exc).__name__}: {exc}"
            else:
                try:
                    result_json = dumps(box.get("value"), field="result")
                    result, status = box.get("value"), "success"
                except ValidationError as exc:
                    error = f"result is not JSON-serialisable: {exc}"
        duration = round((time.perf_counter() - started) * 1000, 3)
        with store.transaction():
            store.execute("UPDATE tier0.plugin_hook_executions SET completed_at = ?, duration_ms = ?, status = ?, "
                          "error_message = ?, result_json = ? WHERE id = ?",
                          (store.timestamp(), duration, status, error, result_json, execution_id))
        return HookExecution(execution_id, plugin_id, hook, status, duration, error, result)

    def executions(self, *, plugin_id: str | None = None, hook: str | None = None, limit: int = 50) -> builtins.list[dict[str, Any]]:
        """Recorded hook executions, newest first."""
        where, params = [], []
        for column, value in (("plugin_id", plugin_id), ("hook", hook)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        return self._store.query(f"SELECT * FROM tier0.plugin_hook_executions{clause} ORDER BY id DESC LIMIT ?",
                                 (*params, limit_value(limit)))


def budget(value: Any, field: str = "time_budget") -> float:
    """A time budget: a finite number of seconds above 0, at most a day."""
    seconds = number(field, value, maximum=MAX_BUDGET)
    if not seconds > 0:
        raise ValidationError(field, f"must be > 0 seconds, got {value!r}")
    return float(seconds)


def callable_(value: object) -> bool:
    return callable(value)


def _names(field: str, values: Sequence[str]) -> tuple[str, ...]:
    if isinstance(values, str) or not all(isinstance(v, str) and v for v in values):
        raise ValidationError(field, "must be a list of non-empty strings")
    return tuple(dict.fromkeys(values))


def _topological(plugins: dict[str, Plugin]) -> tuple[list[str], set[str]]:
    """Kahn's algorithm over dependencies among ``plugins``; ready plugins by priority (high
    first), then id. Returns (order, plugins left in a cycle)."""
    waiting = {pid: {d for d in p.dependencies if d in plugins} for pid, p in plugins.items()}
    dependents: dict[str, list[str]] = {}
    for pid, deps in waiting.items():
        for dep in deps:
            dependents.setdefault(dep, []).append(pid)
    ready = [(-plugins[pid].priority, pid) for pid, deps in waiting.items() if not deps]
    heapq.heapify(ready)
    order = []
    while ready:
        _, pid = heapq.heappop(ready)
        order.append(pid)
        for child in dependents.get(pid, []):
            waiting[child].discard(pid)
            if not waiting[child]:
                heapq.heappush(ready, (-plugins[child].priority, child))
    return order, set(plugins) - set(order)

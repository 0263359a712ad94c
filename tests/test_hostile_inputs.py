"""Hostile values into every public method: only CortexError may come out.

The calls are generated from signatures. Every public method of every public object (the Store,
each sub-API, a Conversation handle, KnowledgeGraph, MemoryTools, a FilesystemColdStore) and the
documented module-level entry points is enumerated at collection time, so a method added later
is fuzzed without editing this file. Each method is a test of its own; each draws
``EXAMPLES_PER_METHOD`` argument sets (required arguments always, optional ones at random) from
a pool of hostile values: integers beyond 64 bits and negative ones, NaN and infinities, lone
surrogates, NUL, empty text, wrong types, bytes, deep nesting, containers of all of these, plus a
few plausible values (an existing entity id and name) so calls get past the first check.

In CI: every public method of the core API and of the agency and Grace packs (about 260) x 25
examples, about 6,500 calls (the core's 184 took 17-42 s on the loaded 2-core machine).
``CORTEXDB_HOSTILE_EXAMPLES`` raises the count (150 per method, about 27,600 calls on the core,
also found nothing).

Calls run with the working directory and ``HOME`` inside a temporary directory, so a hostile
relative path or ``~`` can only ever touch that.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
import reprlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import cortexdb
from cortexdb import migrations
from cortexdb.governance import authority, doctor
from cortexdb.governance.audit import AuditLog
from cortexdb.governance.boundary import BoundaryGuard
from cortexdb.governance.plugins import PluginRegistry
from cortexdb.graph import Graph
from cortexdb.graph.compat import KnowledgeGraph
from cortexdb.graph.provenance import Provenance
from cortexdb.graph.workspace import Workspace
from cortexdb.lifecycle.archive import Archive
from cortexdb.lifecycle.coldstore import FilesystemColdStore
from cortexdb.lifecycle.health import HealthReview
from cortexdb.lifecycle.maintenance import Maintenance
from cortexdb.lifecycle.retention import RetentionManager
from cortexdb.mcp import MemoryTools, export_graph, export_memory, import_memory
from cortexdb.memory import Conversation, Conversations, Creation, Memory, Tasks
from cortexdb.packs.agency import Agency
from cortexdb.packs.grace import (
    Grace,
    GraceComms,
    GraceCore,
    GraceDeployments,
    GraceIngress,
    GraceMemory,
    GraceResilience,
)
from cortexdb.schema_manager import SchemaManager
from cortexdb.sync import Sync

EXAMPLES_PER_METHOD = int(os.environ.get("CORTEXDB_HOSTILE_EXAMPLES", "25"))

PHASES = (Phase.explicit, Phase.generate)
"""No shrinking: the calls change the shared store, so a replayed example may take another path;
the failure message shows the generated call as it was."""
SUB_APIS = ("migrations", "graph", "provenance", "workspace", "retention", "archive", "maintenance", "health",
            "audit", "boundary", "plugins", "conversations", "creation", "tasks", "memory", "agency", "grace", "sync")
GRACE_APIS = ("core", "memory", "ingress", "resilience", "deployments", "comms")
SKIPPED = {
    "close",  # would end the shared store for every later example
}


def _deep(depth: int, leaf: Any, *, as_dict: bool) -> Any:
    value = leaf
    for _ in range(depth):
        value = {"a": value} if as_dict else [value]
    return value


HOSTILE: list[Any] = [
    2**63, -(2**63) - 1, 2**200, -(10**5000), -1, 0, 10**19,
    float("nan"), float("inf"), float("-inf"), 1e308, -1.7e21, 1.5,
    "\ud800", "a\udfffb", "\x00", "a\x00b", "", " ", "~", "~/x", "..", "x" * 5000,
    None, True, False, b"bytes", object(), (), [], {}, {1: 2}, {"\ud800": 1}, {"a": float("nan")},
    [2**63], ["\ud800"], [None], {"$.v": True}, {"$.i": "\ud800"},
    _deep(300, 1, as_dict=False), _deep(300, 1, as_dict=True), _deep(5000, "x", as_dict=False),
]
PLAUSIBLE: list[Any] = [1, 2, "a", "b", "x", "user", "tier1", "default", 0.5, 10, ["a"], {"a": 1}, ("user", "hi")]
KEYS = st.sampled_from(["a", "name", "role", "content", "source", "target", "relation_type", "$.v", "\ud800", "", 1])
SCALARS = st.sampled_from(HOSTILE + PLAUSIBLE)
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(KEYS, SCALARS, max_size=3),
    st.lists(st.dictionaries(KEYS, SCALARS, max_size=3), max_size=2),
)


class Harness:
    """One store shared by every example (fresh stores per call would make this minutes long)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.db = cortexdb.open(root / "store", clock=cortexdb.ManualClock(), modules=["agency", "grace"])
        self.entity = self.db.graph.upsert_entity("a", kind="file", properties={"v": 1})
        self.db.graph.upsert_entity("b", kind="file")
        self.conversation = self.db.conversations.start("hostile", session_id="s")
        self.conversation.add_message("user", "hi")
        self.objects: dict[str, Any] = {"db": self.db, "conversation": self.conversation,
                                        "knowledge_graph": KnowledgeGraph(self.db), "memory_tools": MemoryTools(self.db),
                                        "cold_store": FilesystemColdStore(root / "cold")}
        for name in SUB_APIS:
            self.objects[name] = getattr(self.db, name)
        for name in GRACE_APIS:
            self.objects[f"grace_{name}"] = getattr(self.db.grace, name)


MODULE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "cortexdb.open": cortexdb.open, "migrations.restore_backup": migrations.restore_backup,
    "authority.set_role": authority.set_role, "authority.create_replica": authority.create_replica,
    "doctor.check": doctor.check, "doctor.trend": doctor.trend, "mcp.import_memory": import_memory,
    "mcp.export_memory": export_memory, "mcp.export_graph": export_graph,
}
TAKES_STORE = {"authority.set_role", "authority.create_replica", "doctor.check", "doctor.trend", "mcp.import_memory",
               "mcp.export_memory", "mcp.export_graph"}

OBJECT_TYPES: dict[str, type] = {
    "db": cortexdb.Store, "conversation": Conversation, "knowledge_graph": KnowledgeGraph,
    "memory_tools": MemoryTools, "cold_store": FilesystemColdStore,
    "migrations": SchemaManager, "graph": Graph, "provenance": Provenance, "workspace": Workspace,
    "retention": RetentionManager, "archive": Archive, "maintenance": Maintenance, "health": HealthReview,
    "audit": AuditLog, "boundary": BoundaryGuard, "plugins": PluginRegistry, "conversations": Conversations,
    "creation": Creation, "tasks": Tasks, "memory": Memory, "agency": Agency, "sync": Sync,
    "grace": Grace, "grace_core": GraceCore, "grace_memory": GraceMemory, "grace_ingress": GraceIngress,
    "grace_resilience": GraceResilience, "grace_deployments": GraceDeployments, "grace_comms": GraceComms,
}


def _is_context_manager(fn: Any) -> bool:
    inner = getattr(fn, "__wrapped__", None)
    return inner is not None and inspect.isgeneratorfunction(inner)


def public_methods() -> list[tuple[str, str]]:
    """(object, method) for every public method of every public object, plus the module functions."""
    found = []
    for owner, cls in OBJECT_TYPES.items():
        for name in sorted(dir(cls)):
            attr = inspect.getattr_static(cls, name)
            if name.startswith("_") or name in SKIPPED or not inspect.isfunction(attr) or _is_context_manager(attr):
                continue
            found.append((owner, name))
    return found + [("module", name) for name in MODULE_FUNCTIONS]


METHODS = public_methods()


def test_the_enumeration_covers_the_public_surface(harness: Harness) -> None:
    """A guard against this file silently fuzzing less than the API: every sub-API the Store hands
    out is listed with its class, and the API has well over a hundred methods."""
    sub_apis = {name for name, attr in vars(cortexdb.Store).items() if isinstance(attr, functools.cached_property)}
    assert sub_apis == set(SUB_APIS)
    for name, obj in harness.objects.items():
        assert type(obj) is OBJECT_TYPES[name]
    assert len(METHODS) > 150
    assert ("graph", "get_entity") in METHODS and ("conversation", "add_messages") in METHODS


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    root = tmp_path_factory.mktemp("hostile")
    (root / "home").mkdir()
    old_cwd, old_home = os.getcwd(), os.environ.get("HOME")
    os.chdir(root)
    os.environ["HOME"] = str(root / "home")
    made = Harness(root)
    try:
        yield made
    finally:
        made.db.close()
        os.chdir(old_cwd)
        if old_home is None:
            os.environ.pop("HOME", None)
        else:
            os.environ["HOME"] = old_home


def _arguments(fn: Callable[..., Any], draw: Callable[[st.SearchStrategy[Any]], Any]) -> tuple[list[Any], dict[str, Any]]:
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for param in inspect.signature(fn).parameters.values():
        if param.name == "self":
            continue
        if param.kind is param.VAR_POSITIONAL:
            args.extend(draw(st.lists(VALUES, max_size=3)))
        elif param.kind is param.VAR_KEYWORD:
            if draw(st.booleans()):
                kwargs["extra"] = draw(VALUES)
        elif param.default is param.empty or draw(st.booleans()):
            value = draw(VALUES)
            if param.kind is param.POSITIONAL_ONLY:
                args.append(value)
            else:
                kwargs[param.name] = value
    return args, kwargs


def _shown(value: Any) -> str:
    try:
        return reprlib.repr(value)
    except ValueError:  # an int too long for str()
        return f"<int of {value.bit_length()} bits>"


@contextlib.contextmanager
def _closing_results() -> Iterator[list[Any]]:
    """Stores that ``cortexdb.open`` returned are closed again."""
    results: list[Any] = []
    try:
        yield results
    finally:
        for result in results:
            if isinstance(result, cortexdb.Store):
                result.close()


@pytest.mark.parametrize(("owner", "method"), METHODS, ids=[f"{o}.{m}" for o, m in METHODS])
def test_only_cortex_errors_escape(harness: Harness, owner: str, method: str) -> None:
    if owner == "module":
        fn = MODULE_FUNCTIONS[method]
        takes_store = method in TAKES_STORE
    else:
        fn = getattr(harness.objects[owner], method)
        takes_store = False
    signature_fn = inspect.unwrap(fn)

    @settings(max_examples=EXAMPLES_PER_METHOD, deadline=None, database=None, phases=PHASES,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
    @given(st.data())
    def call(data: st.DataObject) -> None:
        args, kwargs = _arguments(signature_fn, data.draw)
        if takes_store:
            args, kwargs = [harness.db, *args], {k: v for k, v in kwargs.items() if k != "store"}
        with _closing_results() as results:
            try:
                results.append(fn(*args, **kwargs))
            except cortexdb.CortexError:
                pass
            except BaseException as error:
                shown = ", ".join([*map(_shown, args), *(f"{k}={_shown(v)}" for k, v in kwargs.items())])
                raise AssertionError(f"{owner}.{method}({shown}) raised {type(error).__name__}: {error!s:.300}") from error

    call()
    if not harness.db.closed and owner != "module":
        harness.db.query("SELECT 1")  # the shared store still answers

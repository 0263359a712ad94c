"""``db.boundary``: the boundary guard deciding which paths an agent may read, write, scan, delete
or hand to a plugin.

Rules live in tier0 (``boundary_rules``; the workspace root and options in
``governance_settings``), so they are audited. A path is canonicalized before any rule sees it:
hostile forms are refused outright (NUL and control characters, invisible format characters such
as bidi overrides, Unicode look-alikes that NFKC turns into a separator or dot such as ``／``,
``．`` or ``‥``, backslashes, paths over 4096 bytes or components over 255), then a leading ``~``
or ``~user`` is expanded as a shell would (in paths, the root and rule patterns alike), ``..``,
duplicate separators and symlinks are resolved (``os.path.realpath``) and relative paths taken
from the root; case is folded when the root's filesystem folds it.

Decision: the matching rule with the highest priority wins (deny beats allow at equal priority);
with no matching rule a path inside the root is allowed and anything else denied. Patterns are
globs: ``*`` and ``?`` stay within one path component, ``**`` spans components; a relative pattern
is matched against the path relative to the root, an absolute one against the canonical path.
Every denial is logged to ``tier3.boundary_events`` (allows too with ``log_allows(True)``).
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._boundary import public_api
from .._json import dumps, loads
from ..errors import BoundaryDenied, NotFoundError, ValidationError
from ..memory._common import limit as limit_value
from ..memory._common import number

if TYPE_CHECKING:
    from ..store import Store

OPERATIONS = ("read", "write", "scan", "delete", "plugin")
EFFECTS = ("allow", "deny")
MAX_PATH_BYTES = 4096
MAX_NAME_BYTES = 255
_STRUCTURAL = frozenset("/.\\:~")
_ROOT_KEY, _FOLD_KEY, _ALLOWS_KEY = "boundary.root", "boundary.case_insensitive", "boundary.log_allows"


@dataclass(frozen=True)
class Decision:
    """The guard's answer for one path and operation. ``rule_reference`` names the deciding rule
    (``rule:<id> <pattern>``) or built-in check (``builtin:<name>``); ``path`` is the canonical
    path when it could be computed."""

    allowed: bool
    reason: str
    rule_reference: str | None
    path: str
    operation: str

    def __bool__(self) -> bool:
        return self.allowed


@dataclass(frozen=True)
class BoundaryRule:
    """One allow/deny rule."""

    rule_id: str
    effect: str
    pattern: str
    operations: tuple[str, ...]
    priority: int
    created_at: str


@dataclass
class _Compiled:
    rule: BoundaryRule
    regex: re.Pattern[str]
    absolute: bool


def glob_regex(pattern: str, *, fold: bool) -> re.Pattern[str]:
    """Compile a glob: ``*``/``?`` within a component, ``**`` across components, ``[...]`` classes."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("/**", i) and i + 3 == len(pattern):
            out.append("(?:/.*)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = pattern.find("]", i + 2)
            if end == -1:
                out.append(re.escape(c))
                i += 1
            else:
                body = pattern[i + 1:end].replace("\\", "\\\\")
                out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
                i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out) + r"\Z", re.IGNORECASE if fold else 0)


def folds_case(root: Path) -> bool:
    """Whether the filesystem holding ``root`` folds case (probed on the root's own name)."""
    for candidate in (root, *root.parents):
        name = candidate.name
        if name and name.lower() != name.upper():
            swapped = candidate.with_name(name.swapcase())
            try:
                return swapped.exists() and os.path.samefile(swapped, candidate)
            except OSError:
                return False
    return sys.platform in ("darwin", "win32")


def expand_home(text: str) -> str:
    """``text`` with a leading ``~`` or ``~user`` expanded as a shell would; other text unchanged."""
    return os.path.expanduser(text) if text.startswith("~") else text


def expand_pattern(pattern: str) -> str:
    """A rule pattern with a leading ``~`` expanded and resolved (rules see resolved paths), the
    home directory's glob characters escaped."""
    if not pattern.startswith("~"):
        return pattern
    head, sep, tail = pattern.partition("/")
    home = os.path.expanduser(head)
    if home == head:
        return pattern  # an unknown ~user stays as written, as in a shell
    home = os.path.realpath(home)
    return re.sub(r"([*?\[])", r"[\1]", home) + sep + tail


def _structure(text: str) -> list[str]:
    return [c for c in text if c in _STRUCTURAL]


def hostile(text: str) -> tuple[str, str] | None:
    """(check name, reason) if ``text`` is refused before any resolution, else None."""
    if "\x00" in text:
        return "nul", "path contains a NUL byte"
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        return "control", "path contains a control character"
    for c in text:
        if unicodedata.category(c) in ("Cf", "Co", "Cs", "Cn", "Zl", "Zp"):
            return "invisible", f"path contains an invisible or unassigned character U+{ord(c):04X}"
    if _structure(unicodedata.normalize("NFKC", text)) != _structure(text):
        return "lookalike", "path contains a Unicode look-alike of a separator or dot (such as \uff0f or \u2025)"
    if os.sep == "/" and "\\" in text:
        return "backslash", "path contains a backslash (a Windows separator on this system)"
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded) > MAX_PATH_BYTES:
        return "too-long", f"path is longer than {MAX_PATH_BYTES} bytes"
    if any(len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES for part in text.split("/")):
        return "name-too-long", f"a path component is longer than {MAX_NAME_BYTES} bytes"
    return None


@public_api
class BoundaryGuard:
    """Workspace root and rules of one store, and ``check(path, op)``."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._cache: tuple[Any, ...] | None = None

    # -- settings ------------------------------------------------------------------------------
    def _setting(self, key: str, value: Any) -> None:
        store = self._store
        with store.transaction():
            store.execute("INSERT INTO tier0.governance_settings (key, value, updated_at) VALUES (?, ?, ?) "
                          "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                          (key, dumps(value, field=key), store.timestamp()))
        self._changed()

    def _changed(self) -> None:
        self._cache = None
        self._store.audit.seal("tier0", strict=False)

    def set_root(self, path: str | os.PathLike[str], *, case_insensitive: bool | None = None) -> Path:
        """Set the workspace root (an existing directory, stored canonical). ``case_insensitive``
        overrides the probe of whether its filesystem folds case."""
        text = os.fspath(path)
        if not isinstance(text, str) or hostile(text):
            raise ValidationError("path", f"{text!r:.200} is not a usable directory path")
        root = Path(os.path.realpath(expand_home(text)))
        if not root.is_dir():
            raise ValidationError("path", f"{root} is not an existing directory")
        fold = folds_case(root) if case_insensitive is None else bool(case_insensitive)
        store = self._store
        with store.transaction():
            self._setting(_ROOT_KEY, str(root))
            self._setting(_FOLD_KEY, fold)
        return root

    @property
    def root(self) -> Path | None:
        root = self._state()[0]
        return Path(root) if root else None

    def log_allows(self, enabled: bool) -> None:
        """Also log allowed checks to ``boundary_events`` (denials are always logged)."""
        self._setting(_ALLOWS_KEY, bool(enabled))

    # -- rules ---------------------------------------------------------------------------------
    def add_rule(self, effect: str, pattern: str, *, operations: tuple[str, ...] | list[str] = OPERATIONS,
                 priority: int = 0) -> BoundaryRule:
        """Add an allow or deny rule for glob ``pattern`` and the given operations."""
        if effect not in EFFECTS:
            raise ValidationError("effect", f"{effect!r} is not allow or deny")
        if not isinstance(pattern, str) or not pattern or hostile(pattern):
            raise ValidationError("pattern", "must be a non-empty glob without control, look-alike or NUL characters")
        if isinstance(operations, str) or not isinstance(operations, (list, tuple, set, frozenset)):
            raise ValidationError("operations", f"must be a list of {', '.join(OPERATIONS)}, got {operations!r:.80}")
        pattern = expand_pattern(pattern)
        ops = tuple(dict.fromkeys(operations))
        bad = [o for o in ops if o not in OPERATIONS]
        if not ops or bad:
            raise ValidationError("operations", f"must be a non-empty list of {', '.join(OPERATIONS)}")
        if not isinstance(priority, int) or isinstance(priority, bool):
            raise ValidationError("priority", "must be an integer")
        store = self._store
        rule = BoundaryRule(f"r-{uuid.uuid4().hex[:12]}", effect, pattern, ops, priority, store.timestamp())
        with store.transaction():
            store.execute("INSERT INTO tier0.boundary_rules (rule_id, effect, pattern, operations, priority, created_at) "
                          "VALUES (?, ?, ?, ?, ?, ?)",
                          (rule.rule_id, effect, pattern, dumps(list(ops)), priority, rule.created_at))
        self._changed()
        return rule

    def remove_rule(self, rule_id: str) -> None:
        """Delete a rule (audited)."""
        store = self._store
        with store.transaction():
            store.execute("DELETE FROM tier0.boundary_rules WHERE rule_id = ?", (rule_id,))
            if not store.conn.changes():
                raise NotFoundError(f"no boundary rule {rule_id!r}; see db.boundary.rules()")
        self._changed()

    def rules(self) -> list[BoundaryRule]:
        """Every rule, highest priority first."""
        return [c.rule for c in self._state()[3]]

    # -- checking ------------------------------------------------------------------------------
    def _state(self) -> tuple[Any, ...]:
        store = self._store
        version = store.execute("PRAGMA tier0.data_version")[0][0]
        if self._cache is not None and self._cache[-1] == version:
            return self._cache
        settings = {k: loads(v) for k, v in store.execute(
            "SELECT key, value FROM tier0.governance_settings WHERE key IN (?, ?, ?)", (_ROOT_KEY, _FOLD_KEY, _ALLOWS_KEY))}
        fold = bool(settings.get(_FOLD_KEY, False))
        compiled = []
        for rule_id, effect, pattern, ops, priority, created in store.execute(
                "SELECT rule_id, effect, pattern, operations, priority, created_at FROM tier0.boundary_rules"):
            rule = BoundaryRule(rule_id, effect, pattern, tuple(loads(ops)), priority, created)
            compiled.append(_Compiled(rule, glob_regex(pattern, fold=fold), pattern.startswith("/")))
        compiled.sort(key=lambda c: (-c.rule.priority, c.rule.effect != "deny", c.rule.rule_id))
        self._cache = (settings.get(_ROOT_KEY), fold, bool(settings.get(_ALLOWS_KEY, False)), compiled, version)
        return self._cache

    def canonical(self, path: str | os.PathLike[str]) -> str:
        """The canonical absolute path the rules would see (BoundaryDenied for a hostile path)."""
        text = os.fspath(path)
        bad = hostile(text) if isinstance(text, str) else ("bytes", "paths must be text")
        if bad:
            raise BoundaryDenied(bad[1])
        text = expand_home(text)
        root = self._state()[0]
        if not os.path.isabs(text):
            if not root:
                raise BoundaryDenied("relative path and no workspace root set; call db.boundary.set_root(path)")
            text = os.path.join(root, text)
        return os.path.realpath(text)

    def check(self, path: str | os.PathLike[str], operation: str, *, plugin_id: str | None = None,
              session_id: str | None = None) -> Decision:
        """Decide whether ``operation`` on ``path`` is allowed; denials are logged."""
        if operation not in OPERATIONS:
            raise ValidationError("operation", f"{operation!r} is not one of {', '.join(OPERATIONS)}")
        root, fold, log_allows, compiled, _version = self._state()
        decision = self._decide(path, operation, root, fold, compiled)
        if (not decision.allowed or log_allows) and not self._store.readonly:
            self._log(decision, plugin_id, session_id)
        return decision

    def require(self, path: str | os.PathLike[str], operation: str, **kwargs: Any) -> str:
        """Return the canonical path if allowed, else raise BoundaryDenied with the reason."""
        decision = self.check(path, operation, **kwargs)
        if not decision.allowed:
            raise BoundaryDenied(f"{operation} {decision.path!r} denied: {decision.reason} ({decision.rule_reference})")
        return decision.path

    def _decide(self, path: Any, operation: str, root: str | None, fold: bool, compiled: list[_Compiled]) -> Decision:
        try:
            text = os.fspath(path)
        except TypeError:
            raise ValidationError("path", "must be a str or os.PathLike") from None
        if not isinstance(text, str):
            return Decision(False, "paths must be text, not bytes", "builtin:bytes", repr(text)[:MAX_PATH_BYTES], operation)
        bad = hostile(text)
        shown = text.encode("unicode_escape").decode("ascii")[:MAX_PATH_BYTES]
        if bad:
            return Decision(False, bad[1], f"builtin:{bad[0]}", shown, operation)
        text = expand_home(text)
        if not os.path.isabs(text):
            if not root:
                return Decision(False, "relative path and no workspace root set", "builtin:no-root", shown, operation)
            text = os.path.join(root, text)
        real = os.path.realpath(text)
        inside = False
        rel = None
        if root:
            a, b = (real.casefold(), root.casefold()) if fold else (real, root)
            inside = a == b or a.startswith(b.rstrip("/") + "/")
            if inside:
                rel = real[len(root.rstrip("/")) + 1:] if a != b else "."
        for c in compiled:
            if operation not in c.rule.operations:
                continue
            subject = real if c.absolute else rel
            if subject is not None and c.regex.match(subject):
                rule = c.rule
                return Decision(rule.effect == "allow", f"{rule.effect} rule {rule.pattern!r} (priority {rule.priority})",
                                f"rule:{rule.rule_id} {rule.pattern}", real, operation)
        if inside:
            return Decision(True, "inside the workspace root", "builtin:root", real, operation)
        if not root:
            return Decision(False, "no workspace root set; call db.boundary.set_root(path)", "builtin:no-root", real,
                            operation)
        return Decision(False, f"outside the workspace root {root}", "builtin:outside-root", real, operation)

    def _log(self, decision: Decision, plugin_id: str | None, session_id: str | None) -> None:
        store = self._store
        with store.transaction():
            store.execute(
                "INSERT INTO tier3.boundary_events (occurred_at, event_type, path, allowed, reason, rule_reference, "
                "plugin_id, session_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (store.timestamp(), decision.operation, decision.path, int(decision.allowed), decision.reason,
                 decision.rule_reference, plugin_id, session_id))

    # -- events --------------------------------------------------------------------------------
    def events(self, *, allowed: bool | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Logged boundary events, newest first."""
        sql = "SELECT * FROM tier3.boundary_events"
        params: tuple[Any, ...] = ()
        if allowed is not None:
            sql += " WHERE allowed = ?"
            params = (int(allowed),)
        return self._store.query(sql + " ORDER BY id DESC LIMIT ?", (*params, limit_value(limit)))

    def purge_events(self, *, older_than_days: float = 90.0, export_dir: str | os.PathLike[str] | None = None) -> dict[str, Any]:
        """Seed 001 retention: export denied events older than ``older_than_days`` as JSON lines
        (to ``export_dir``, default ``<store>/cold``), then delete every event that old. The
        export is written and fsynced before anything is deleted."""
        from ..clock import to_timestamp

        number("older_than_days", older_than_days, minimum=0, maximum=365_000)
        store = self._store
        store.require_writable()
        cutoff = to_timestamp(store.now() - older_than_days * 86400)
        denied = store.query("SELECT * FROM tier3.boundary_events WHERE occurred_at < ? AND allowed = 0 ORDER BY id",
                             (cutoff,))
        target = None
        if denied:
            folder = Path(export_dir).expanduser() if export_dir is not None else store.home / "cold"
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"boundary_events-denied-{cutoff[:10]}-{uuid.uuid4().hex[:8]}.jsonl"
            with open(target, "wb") as handle:
                for row in denied:
                    handle.write(dumps(row).encode() + b"\n")
                handle.flush()
                os.fsync(handle.fileno())
        with store.transaction():
            store.execute("DELETE FROM tier3.boundary_events WHERE occurred_at < ?", (cutoff,))
            deleted = store.conn.changes()
        return {"exported": len(denied), "export_file": str(target) if target else None, "deleted": deleted}

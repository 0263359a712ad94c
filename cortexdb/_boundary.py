"""The public boundary: every stray Python exception becomes the CortexError a caller can act on.

Binding and encoding errors are raised by Python (apsw, orjson, datetime) before SQLite sees a
statement, and filesystem errors by the OS; checking for them call site by call site leaks. So
each public class is decorated with :func:`public_api` (and module-level entry points with
:func:`public_function`): its public methods run inside one ``try``, which costs nothing until
something is raised. There, a CortexError passes through untouched; a binding or encoding error
becomes a ValidationError naming the argument that caused it (found in the call's bound
arguments, recursively in containers); an OSError becomes a StoreFileError naming the path and
what to do; a raw apsw error is translated. The original is kept on ``__cause__``.

The statement paths (``Store.execute``, ``memory._common.run``) translate binding errors
themselves with :func:`binding_error`, naming the statement parameter; the public method that
passed the value on renames it after its own argument on the way out.
"""

from __future__ import annotations

import errno
import functools
import inspect
import math
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import apsw

from .errors import CortexError, StoreFileError, ValidationError, translate

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

STRAY = (ArithmeticError, LookupError, TypeError, ValueError, AttributeError, RecursionError, OSError, apsw.Error)
"""What Python, apsw and the OS raise for bad input; anything else (a bug, KeyboardInterrupt) passes."""
BINDING = (OverflowError, TypeError, ValueError, KeyError)
"""What apsw raises while binding parameters or preparing statement text."""

BINDABLE = (type(None), int, float, str, bytes, bytearray, memoryview)
"""What a statement parameter may be."""
INT64 = (-(2**63), 2**63 - 1)
_SCAN_BUDGET = 10_000  # values visited when looking for the culprit (deep or huge arguments)
_ADVICE = {
    errno.EISDIR: "a directory stands where a file is expected; move it away or choose another path",
    errno.ENOTDIR: "a part of the path is a file, not a directory; choose another path",
    errno.EACCES: "permission denied; make it readable and writable by this user or choose another path",
    errno.EPERM: "operation not permitted; check the path's permissions or choose another path",
    errno.EROFS: "the filesystem is read-only; choose a location on a writable filesystem",
    errno.ENOENT: "it does not exist; check the path",
    errno.EEXIST: "it already exists; remove it or choose another path",
    errno.ENOSPC: "the disk is full; free some space and retry",
    errno.ENAMETOOLONG: "the name is too long; choose a shorter path",
}


class StatementArgumentError(ValidationError):
    """A statement parameter could not be bound; ``value`` is the offending value, so the public
    method that received it can name its own argument instead of ``params[i]``."""

    def __init__(self, field: str, problem: str, value: Any) -> None:
        super().__init__(field, problem)
        self.value = value
        self.problem = problem


def file_error(error: OSError, *, path: object = None) -> StoreFileError:
    """A StoreFileError naming the path and what to do about ``error``."""
    where = path if path is not None else (error.filename if error.filename is not None else "a store file")
    advice = _ADVICE.get(error.errno or 0, "check the path and its permissions")
    reason = error.strerror or type(error).__name__
    return StoreFileError(f"{where}: {reason}; {advice}")


def _problem(value: Any) -> str | None:
    """Why ``value`` cannot reach SQLite or JSON, or None if it can."""
    if isinstance(value, int) and not isinstance(value, bool):
        if not INT64[0] <= value <= INT64[1]:
            shown = value if value.bit_length() < 128 else f"of {value.bit_length()} bits"
            return f"integer {shown} is outside the 64-bit range SQLite stores (-2**63 .. 2**63-1)"
    elif isinstance(value, float):
        if not math.isfinite(value):
            return f"{value!r} is not a finite number"
    elif isinstance(value, str) and not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            return f"text contains a lone surrogate at index {error.start}, which UTF-8 cannot store"
    return None


def _children(value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, sub in value.items():
            yield f"[{key!r}]", key
            yield f"[{key!r}]", sub
    elif isinstance(value, (list, tuple, set, frozenset)):
        for index, sub in enumerate(value):
            yield f"[{index}]", sub


def find_culprit(arguments: Mapping[str, Any], target: Any = None, *,
                 match: bool = False) -> tuple[str, str, Any] | None:
    """The first argument (``name[key][0]`` path) holding a value SQLite cannot take: its path,
    why, and the value.

    With ``match``, look for ``target`` itself (by identity, else equality) instead.
    Breadth-first and bounded, so deep nesting or huge containers stay cheap.
    """
    queue: list[tuple[str, Any]] = list(arguments.items())
    seen: set[int] = set()
    for path, value in queue:
        if len(queue) > _SCAN_BUDGET:
            break
        if match:
            try:
                hit = value is target or (type(value) is type(target) and value == target)
            except Exception:  # an argument whose __eq__ raises is not the culprit
                hit = False
            if hit:
                return path, "", value
        else:
            problem = _problem(value)
            if problem:
                return path, problem, value
        if id(value) not in seen:
            seen.add(id(value))
            try:
                queue.extend((path + step, sub) for step, sub in _children(value))
            except Exception:  # a container whose iteration raises is reported generically
                continue
    return None


def bound_arguments(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The call's arguments by parameter name (``self`` left out); TypeError if they do not bind."""
    bound = inspect.signature(fn).bind(*args, **kwargs)
    named = dict(bound.arguments)
    named.pop("self", None)
    named.pop("cls", None)
    return named


def binding_error(params: Any, error: Exception) -> ValidationError:
    """The ValidationError for a statement whose parameters (or text) could not be bound."""
    found = find_culprit({"params": params})
    if found:
        path, problem, value = found
        return StatementArgumentError(path, problem, value)
    items = params.items() if isinstance(params, Mapping) else enumerate(params) \
        if isinstance(params, (list, tuple)) else ()
    for key, value in items:
        if not isinstance(value, BINDABLE):
            return StatementArgumentError(f"params[{key!r}]", f"a {type(value).__name__} cannot be stored; "
                                          "use None, int, float, str or bytes", value)
    if isinstance(error, KeyError):
        return ValidationError("params", f"no value for named parameter {error.args[0]!r}")
    return ValidationError("params", f"cannot bind the statement's parameters: {error}")


def _translate(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], error: BaseException) -> CortexError:
    """The CortexError for ``error`` raised by the public call ``fn(*args, **kwargs)``."""
    name = getattr(fn, "__qualname__", getattr(fn, "__name__", "call"))
    if isinstance(error, apsw.Error):
        return translate(error)
    if isinstance(error, OSError):
        return file_error(error)
    try:
        arguments = bound_arguments(fn, args, kwargs)
    except TypeError as mismatch:  # the call itself does not fit the signature
        named = re.search(r"'(\w+)'", str(mismatch))
        return ValidationError(named.group(1) if named else "arguments", f"{name}(): {mismatch}")
    if isinstance(error, RecursionError):
        return ValidationError("arguments", f"{name}(): a value is nested too deeply")
    found = find_culprit(arguments)
    if found:
        return ValidationError(found[0], found[1])
    field = next(iter(arguments)) if len(arguments) == 1 else "arguments"
    return ValidationError(field, f"{name}() cannot take this value ({type(error).__name__}: {error})")


def _rename(error: StatementArgumentError, fn: Callable[..., Any], args: tuple[Any, ...],
            kwargs: dict[str, Any]) -> CortexError:
    """Name the public argument that held the value a statement could not bind, if this call had it."""
    try:
        arguments = bound_arguments(fn, args, kwargs)
    except TypeError:
        return error
    found = find_culprit(arguments, error.value, match=True)
    if not found:
        return error
    renamed = ValidationError(found[0], error.problem)
    renamed.__cause__ = error.__cause__
    return renamed


def _guard(fn: F) -> F:
    """``fn`` with stray exceptions translated; generator functions are guarded while iterated."""
    if getattr(fn, "__cortex_boundary__", False):
        return fn
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def guarded_generator(*args: Any, **kwargs: Any) -> Any:
            try:
                return (yield from fn(*args, **kwargs))
            except StatementArgumentError as error:
                raise _rename(error, fn, args, kwargs) from error.__cause__
            except CortexError:
                raise
            except STRAY as error:
                raise _translate(fn, args, kwargs, error) from error
        guarded: Any = guarded_generator
    else:
        @functools.wraps(fn)
        def guarded_call(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except StatementArgumentError as error:
                raise _rename(error, fn, args, kwargs) from error.__cause__
            except CortexError:
                raise
            except STRAY as error:
                raise _translate(fn, args, kwargs, error) from error
        guarded = guarded_call
    guarded.__cortex_boundary__ = True
    return guarded


def _is_context_manager(fn: Callable[..., Any]) -> bool:
    """``@contextlib.contextmanager`` methods stay as they are: the caller's block runs inside them,
    and its own exceptions must reach the caller unchanged."""
    inner = getattr(fn, "__wrapped__", None)
    return inner is not None and inspect.isgeneratorfunction(inner)


def public_api(cls: type[T]) -> type[T]:
    """Guard every public method of ``cls``, inherited ones included (mixins stay untouched).

    Properties and cached properties are left as they are: they build sub-APIs or read state.
    """
    for klass in reversed(cls.__mro__[:-1]):
        for name, attr in list(vars(klass).items()):
            if name.startswith("_"):
                continue
            if isinstance(attr, (staticmethod, classmethod)):
                if not _is_context_manager(attr.__func__):
                    setattr(cls, name, type(attr)(_guard(attr.__func__)))
            elif inspect.isfunction(attr) and not _is_context_manager(attr):
                setattr(cls, name, _guard(attr))
    return cls


def translates_itself(fn: F) -> F:
    """Leave a public method of a guarded class unguarded: it translates its own errors, and the
    methods calling it must see its StatementArgumentError to name their own argument."""
    fn.__cortex_boundary__ = True  # type: ignore[attr-defined]
    return fn


def public_function(fn: F) -> F:
    """Guard one module-level entry point (``cortexdb.open``, ``restore_backup``, ...)."""
    return _guard(fn)

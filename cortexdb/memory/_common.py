"""Shared helpers of the working-memory APIs: argument checks and the lean statement path.

Checks run before anything is written, so a refused call leaves the store unchanged; each
raises ValidationError naming the field.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import apsw

from .._boundary import BINDING, binding_error
from ..errors import ValidationError, translate

if TYPE_CHECKING:
    from ..store import Store


def text(field: str, value: Any, *, max_len: int | None = None, allow_empty: bool = False) -> str:
    """Return ``value`` if it is a str UTF-8 can store (NUL is fine, lone surrogates are not)."""
    if not isinstance(value, str):
        raise ValidationError(field, f"must be a string, got {type(value).__name__}")
    if not value and not allow_empty:
        raise ValidationError(field, "must not be empty")
    if max_len is not None and len(value) > max_len:
        raise ValidationError(field, f"is {len(value)} characters; at most {max_len} are allowed")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise ValidationError(
                field, f"contains a lone surrogate at index {error.start}, which UTF-8 cannot store; "
                "encode the text properly (e.g. decode bytes with errors='replace')") from error
    return value


def optional_text(field: str, value: Any, *, max_len: int | None = None) -> str | None:
    return None if value is None else text(field, value, max_len=max_len, allow_empty=True)


def integer(field: str, value: Any, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` if it is an int (not a bool) within the bounds."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, f"must be an integer, got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValidationError(field, f"must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValidationError(field, f"must be <= {maximum}, got {value}")
    return value


def number(field: str, value: Any, *, minimum: float | None = None, maximum: float | None = None) -> float:
    """Return ``value`` if it is a finite int or float (not a bool, NaN or inf) within the bounds."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValidationError(field, f"must be a finite number, got {value!r:.80}")
    if minimum is not None and value < minimum:
        raise ValidationError(field, f"must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValidationError(field, f"must be <= {maximum}, got {value}")
    return value


def choice(field: str, value: Any, allowed: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``allowed``."""
    if not isinstance(value, str) or value not in allowed:
        raise ValidationError(field, f"{value!r} is not one of {', '.join(allowed)}")
    return value


def limit(value: Any, *, field: str = "limit", maximum: int = 100_000) -> int:
    return integer(field, value, minimum=1, maximum=maximum)


def run(store: Store, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
    """One statement on the store's connection (cached by apsw), apsw errors translated.

    Like ``Store.execute`` without the context-manager overhead: for the hot paths.
    """
    with store._lock:
        try:
            return store.conn.execute(sql, params).fetchall()
        except apsw.Error as error:
            raise translate(error) from error
        except BINDING as error:
            raise binding_error(params, error) from error

"""JSON at the store's edge: orjson both ways, stored as TEXT, never silently changed.

A value that orjson cannot encode, or that would not read back equal (non-string keys, NaN,
tuples turned into lists are accepted as lists only when the caller passes lists), is a
``ValidationError`` naming the field. JSON paths are checked against a strict grammar before
they reach SQL text.
"""

from __future__ import annotations

import math
import re
from typing import Any

import orjson

from .errors import ValidationError

_PATH = re.compile(r"^\$(?:\.[A-Za-z_][A-Za-z0-9_]*|\[[0-9]+\])+$")


def _check_roundtrip(field: str, value: Any) -> None:
    """Refuse values JSON would change: non-str keys, non-finite floats, tuples, sets."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, sub in item.items():
                if not isinstance(key, str):
                    raise ValidationError(field, f"object keys must be strings, got {type(key).__name__} {key!r}")
                stack.append(sub)
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise ValidationError(field, f"{item!r} has no JSON form")
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as error:
                raise ValidationError(field, "text contains a lone surrogate, which UTF-8 cannot store") from error
        elif item is None or isinstance(item, (bool, int)):
            if isinstance(item, int) and not isinstance(item, bool) and not -(2**63) <= item < 2**63:
                raise ValidationError(field, f"integer {item} is outside the 64-bit range JSON readers accept")
        else:
            raise ValidationError(field, f"{type(item).__name__} is not a JSON value (use dict, list, str, int, float, bool, None)")


def encode(value: Any, *, field: str = "value") -> tuple[str, Any]:
    """``value`` as JSON text that reads back equal, and the value read back from that text.

    The fast path lets orjson refuse what it cannot encode (non-str keys, lone surrogates, other
    types; integers beyond 53 bits, so no integer past 64 bits slips through) and compares the
    value read back with the original in C (NaN becomes null, tuples lists, UUIDs and datetimes
    strings: all unequal). Anything refused there goes through :func:`_check_roundtrip`, which
    names the offending value (and accepts integers up to 64 bits).
    """
    try:
        raw = orjson.dumps(value, option=orjson.OPT_STRICT_INTEGER)
        back = orjson.loads(raw)
        if back == value:
            return raw.decode("utf-8"), back
    except (TypeError, orjson.JSONEncodeError):
        pass
    _check_roundtrip(field, value)
    try:
        raw = orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError) as error:
        raise ValidationError(field, f"cannot be encoded as JSON: {error}") from error
    back = orjson.loads(raw)
    if back != value:
        raise ValidationError(field, "would not read back equal from JSON")
    return raw.decode("utf-8"), back


def dumps(value: Any, *, field: str = "value") -> str:
    """Encode ``value`` as JSON text that reads back equal, or raise ValidationError."""
    return encode(value, field=field)[0]


def dumps_or_none(value: Any, *, field: str = "value") -> str | None:
    """Like :func:`dumps`, but ``None`` stays SQL NULL."""
    return None if value is None else dumps(value, field=field)


def loads(text: str | bytes | None) -> Any:
    """Decode JSON text from the store; NULL reads as None."""
    return None if text is None else orjson.loads(text)


def validate_path(path: str, *, field: str = "path") -> str:
    """Return ``path`` if it is a plain JSON path like ``$.a.b[0]``; refuse anything else."""
    if not isinstance(path, str) or not _PATH.match(path):
        raise ValidationError(field, f"{path!r} is not a JSON path of the form $.key.sub[0] (letters, digits, _ only)")
    return path

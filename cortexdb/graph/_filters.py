"""JSON1 filters: ``{"$.path": value}`` to SQL with bound values and validated, inlined paths.

The path is inlined as a SQL string literal (after the strict grammar check of
``cortexdb._json.validate_path``) so the expression is exactly ``json_extract(col, '$.x')`` and an
expression index declared on it is used; values are always bound.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._json import validate_path
from ..errors import ValidationError

_OPS = {"$eq": "=", "$ne": "!=", "$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}


def _scalar(path: str, value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)  # json_extract returns 1/0 for true/false
    if value is None or isinstance(value, (str, int, float)):
        return value
    raise ValidationError(f"where[{path}]", f"values must be str, int, float, bool or None, got {type(value).__name__}")


def where_sql(column: str, where: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """SQL (AND of conditions) and its parameters for a ``where`` mapping."""
    if not isinstance(where, Mapping):
        raise ValidationError("where", "must be a dict of JSON path -> value")
    clauses: list[str] = []
    params: list[Any] = []
    for path, condition in where.items():
        validate_path(path, field="where")
        expr = f"json_extract({column}, '{path}')"
        if isinstance(condition, Mapping):
            if not condition:
                raise ValidationError(f"where[{path}]", "operator dict is empty")
            ops: list[tuple[str, Any]] = list(condition.items())
        elif isinstance(condition, (list, tuple, set, frozenset)):
            ops = [("$in", list(condition))]
        else:
            ops = [("$eq", condition)]
        for op, value in ops:
            if op == "$in":
                if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
                    raise ValidationError(f"where[{path}]", "$in needs a list of values")
                values = [_scalar(path, v) for v in value]
                if not values:
                    clauses.append("0")
                    continue
                clauses.append(f"{expr} IN ({', '.join('?' * len(values))})")
                params.extend(values)
            elif op in _OPS:
                scalar = _scalar(path, value)
                if scalar is None:
                    if op not in ("$eq", "$ne"):
                        raise ValidationError(f"where[{path}]", f"{op} cannot compare with None")
                    clauses.append(f"{expr} IS {'NOT ' if op == '$ne' else ''}NULL")
                else:
                    clauses.append(f"{expr} {_OPS[op]} ?")
                    params.append(scalar)
            else:
                raise ValidationError(f"where[{path}]", f"unknown operator {op!r}; use {', '.join([*_OPS, '$in'])}")
    return " AND ".join(clauses) or "1", params

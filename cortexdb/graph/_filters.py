"""JSON1 filters: ``{"$.path": value}`` to SQL with bound values and validated, inlined paths.

The path is inlined as a SQL string literal (after the strict grammar check of
``cortexdb._json.validate_path``) so the expression is exactly ``json_extract(col, '$.x')`` and an
expression index declared on it is used; values are always bound.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .._json import validate_path
from ..errors import ValidationError

_OPS = {"$eq": "=", "$ne": "!=", "$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}
_ORDERING = ("$gt", "$gte", "$lt", "$lte")


def _scalar(path: str, value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float)):  # bool is an int
        if isinstance(value, float) and not math.isfinite(value):
            raise ValidationError(f"where[{path}]", f"{value!r} has no JSON form")
        return value
    raise ValidationError(f"where[{path}]", f"values must be str, int, float, bool or None, got {type(value).__name__}")


def _equal(expr: str, kind: str, value: Any, params: list[Any]) -> str:
    """``expr`` equals the JSON value ``value``: booleans only JSON true/false, numbers never them.

    json_extract reads true/false as 1/0, so json_type tells them apart; the json_extract term
    stays first so an expression index on it is still used.
    """
    if isinstance(value, bool):
        params.append(int(value))
        return f"({expr} = ? AND {kind} = '{'true' if value else 'false'}')"
    params.append(value)
    if isinstance(value, (int, float)):
        return f"({expr} = ? AND {kind} NOT IN ('true', 'false'))"
    return f"{expr} = ?"


def where_sql(column: str, where: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """SQL (AND of conditions) and its parameters for a ``where`` mapping."""
    if not isinstance(where, Mapping):
        raise ValidationError("where", "must be a dict of JSON path -> value")
    clauses: list[str] = []
    params: list[Any] = []
    for path, condition in where.items():
        validate_path(path, field="where")
        expr = f"json_extract({column}, '{path}')"
        kind = f"json_type({column}, '{path}')"
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
                terms = [f"{expr} IS NULL" if v is None else _equal(expr, kind, v, params) for v in values]
                clauses.append(f"({' OR '.join(terms)})")
            elif op in _OPS:
                scalar = _scalar(path, value)
                if scalar is None or isinstance(scalar, bool):
                    if op in _ORDERING:
                        raise ValidationError(f"where[{path}]", f"{op} cannot compare with {scalar!r}")
                    if scalar is None:
                        clauses.append(f"{expr} IS {'NOT ' if op == '$ne' else ''}NULL")
                    else:
                        equal = _equal(expr, kind, scalar, params)
                        clauses.append(equal if op == "$eq" else f"({expr} IS NOT NULL AND NOT {equal})")
                elif op == "$eq":
                    clauses.append(_equal(expr, kind, scalar, params))
                elif op == "$ne":
                    clauses.append(f"({expr} IS NOT NULL AND NOT {_equal(expr, kind, scalar, params)})")
                else:
                    params.append(scalar)
                    same_type = "= 'text'" if isinstance(scalar, str) else "IN ('integer', 'real')"
                    clauses.append(f"({expr} {_OPS[op]} ? AND {kind} {same_type})")
            else:
                raise ValidationError(f"where[{path}]", f"unknown operator {op!r}; use {', '.join([*_OPS, '$in'])}")
    return " AND ".join(clauses) or "1", params

"""Operators of compiled PQL: comparisons with coercion, membership, like/matches, arithmetic.

The null rules of PQL.md §10: every comparison, ``in``, ``notIn``, ``like`` and ``matches`` is
false when an operand is null, so ``!=`` and ``notIn`` are not the negations of ``=`` and
``in``; arithmetic propagates null and division by zero is null. An array compared with a
scalar is existential (true if any element satisfies the comparison).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from segctl.pql import timeutil
from segctl.pql.evaluator import regex_java
from segctl.pql.evaluator.runtime import items_of
from segctl.pql.timeutil import TimeValue

_FAIL = object()  # coercion impossible


# ---- comparison (PQL.md §6.2, §10) ----------------------------------------------------------


def _coerce(b: Any, a: Any) -> Any:
    """The right operand coerced to the type of the left one, or ``_FAIL``."""
    ca, cb = a.__class__, b.__class__
    if ca is cb:
        return b
    if ca is bool:
        if cb is str:
            low = b.lower()
            return True if low == "true" else False if low == "false" else _FAIL
        return _FAIL
    if ca is int or ca is float:
        if cb is int or cb is float:
            return b
        if cb is str:
            try:
                number = float(b)
            except ValueError:
                return _FAIL
            return int(number) if number.is_integer() and ca is int else number
        return _FAIL
    if ca is str and (cb is int or cb is float):
        return str(b)
    return _FAIL


def _time_order(a: Any, b: Any) -> tuple[int, TimeValue] | None:
    """(instant, interval) for a comparison where one side is a calendar value."""
    if a.__class__ is TimeValue:
        t = timeutil.to_micros(b)
        return None if t is None else (t, a)
    t = timeutil.to_micros(a)
    return None if t is None else (t, b)


def _time_compare(op: str, a: Any, b: Any) -> bool:
    pair = _time_order(a, b)
    if pair is None:
        return False
    t, iv = pair
    if a.__class__ is TimeValue:  # mirror: interval OP instant -> instant OP' interval
        op = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(op, op)
    inside = iv.contains(t)
    if op == "=":
        return inside
    if op == "!=":
        return not inside
    if op == "<":
        return t < iv.start
    if op == "<=":
        return t < iv.start or inside
    if op == ">":
        return t > iv.start if iv.start == iv.end else t >= iv.end
    return t >= iv.start  # ">="


def _list_equal(a: list[Any], b: list[Any]) -> bool:
    """Two arrays are equal when they hold the same elements, in any order [I]: each element
    of ``a`` pairs with its own equal element of ``b`` (so ``[1, 1, 2] != [1, 2, 2]``)."""
    if len(a) != len(b):
        return False
    unpaired = list(b)
    for x in a:
        for i, y in enumerate(unpaired):
            if eq(x, y):
                del unpaired[i]
                break
        else:
            return False
    return True


def eq(a: Any, b: Any) -> bool:
    """``a = b``: both defined and equal after coercing ``b`` to ``a``'s type; an array
    compared with a scalar is existential."""
    if a is None or b is None:
        return False
    ca, cb = a.__class__, b.__class__
    if ca is cb and ca is not list:
        return bool(a == b)
    if ca is list:
        return _list_equal(a, b) if cb is list else any(eq(x, b) for x in a)
    if cb is list:
        return any(eq(a, y) for y in b)
    if ca is TimeValue or cb is TimeValue:
        return _time_compare("=", a, b)
    b = _coerce(b, a)
    return b is not _FAIL and bool(a == b)


def ne(a: Any, b: Any) -> bool:
    """``a != b``: both defined and different (not the negation of ``=``)."""
    if a is None or b is None:
        return False
    ca, cb = a.__class__, b.__class__
    if ca is cb and ca is not list:
        return bool(a != b)
    if ca is list:
        return (not _list_equal(a, b)) if cb is list else any(ne(x, b) for x in a)
    if cb is list:
        return any(ne(a, y) for y in b)
    if ca is TimeValue or cb is TimeValue:
        return _time_compare("!=", a, b)
    b = _coerce(b, a)
    return b is _FAIL or bool(a != b)


def _ordered(op: str, a: Any, b: Any) -> bool:
    if a is None or b is None:
        return False
    ca, cb = a.__class__, b.__class__
    if ca is list:
        return any(_ordered(op, x, b) for x in a)
    if cb is list:
        return any(_ordered(op, a, y) for y in b)
    if ca is TimeValue or cb is TimeValue:
        return _time_compare(op, a, b)
    if ca is bool or cb is bool:
        return False
    if ca is not cb:
        b = _coerce(b, a)
        if b is _FAIL:
            return False
    elif ca is not str and ca is not int and ca is not float:
        return False
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def lt(a: Any, b: Any) -> bool:
    return _ordered("<", a, b)


def le(a: Any, b: Any) -> bool:
    return _ordered("<=", a, b)


def gt(a: Any, b: Any) -> bool:
    return _ordered(">", a, b)


def ge(a: Any, b: Any) -> bool:
    return _ordered(">=", a, b)


def in_list(a: Any, b: Any) -> bool:
    """``a in b``: both defined; an array on the left is existential."""
    if a is None or b is None:
        return False
    if a.__class__ is list:
        return any(in_list(x, b) for x in a)
    return any(eq(a, y) for y in items_of(b))


def not_in_list(a: Any, b: Any) -> bool:
    """``a notIn b``: both defined and ``a`` not a member (not the negation of ``in``)."""
    if a is None or b is None:
        return False
    if a.__class__ is list:
        return any(not_in_list(x, b) for x in a)
    return not any(eq(a, y) for y in items_of(b))


# ---- strings: like / matches -----------------------------------------------------------------


@lru_cache(maxsize=512)
def like_regex(pattern: str) -> re.Pattern[str]:
    """SQL LIKE: ``%`` any run, ``_`` one character, ``\\`` escapes; whole string [I]."""
    out: list[str] = []
    escaped = False
    for ch in pattern:
        if escaped:
            out.append(re.escape(ch))
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "%":
            out.append(".*")
        elif ch == "_":
            out.append(".")
        else:
            out.append(re.escape(ch))
    if escaped:
        out.append(re.escape("\\"))
    return re.compile("".join(out), re.DOTALL)


def like(s: Any, pattern: Any) -> bool:
    if s is None or pattern.__class__ is not str:
        return False
    if s.__class__ is list:
        return any(like(x, pattern) for x in s)
    return s.__class__ is str and like_regex(pattern).fullmatch(s) is not None


def matches(s: Any, pattern: Any) -> bool:
    """Unanchored search (Java ``find()``), so ``^``/``$`` anchor explicitly (PQL.md §6.6)."""
    if s is None or pattern.__class__ is not str:
        return False
    if s.__class__ is list:
        return any(matches(x, pattern) for x in s)
    if s.__class__ is not str:
        return False
    compiled = regex_java.java_regex(pattern)
    return compiled is not None and compiled.search(s) is not None


# ---- arithmetic (PQL.md §6.8): null propagates, division by zero is null ----------------------


def _num(a: Any) -> bool:
    return (a.__class__ is int or a.__class__ is float) and a.__class__ is not bool


def _arithmetic(fn: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """Numbers only; null for anything else and for a result too large for a float."""

    def apply(a: Any, b: Any) -> Any:
        if not (_num(a) and _num(b)):
            return None
        try:
            return fn(a, b)
        except (OverflowError, ZeroDivisionError):
            return None

    apply.__name__ = fn.__name__
    return apply


def _plus(a: Any, b: Any) -> Any:
    return a + b


def add(a: Any, b: Any) -> Any:
    """Numbers add; two strings concatenate [I]."""
    if a.__class__ is str and b.__class__ is str:
        return a + b
    return _add(a, b)


_add = _arithmetic(_plus)
sub = _arithmetic(lambda a, b: a - b)
mul = _arithmetic(lambda a, b: a * b)


def _divide(a: Any, b: Any) -> Any:
    if b == 0:
        return None
    if a.__class__ is int and b.__class__ is int and a % b == 0:
        return a // b
    return a / b


def _remainder(a: Any, b: Any) -> Any:
    """Remainder with the sign of the dividend (Java ``%``); modulo zero is null."""
    if b == 0:
        return None
    r = abs(a) % abs(b)
    return r if a >= 0 else -r


div = _arithmetic(_divide)
mod = _arithmetic(_remainder)


def neg(a: Any) -> Any:
    return -a if _num(a) else None

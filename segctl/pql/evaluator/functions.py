"""The PQL function registry (PQL.md §6): one table row per function or method.

A method ``recv.f(a, b)`` is called as ``impl(recv, a, b)``; a free function ``f(a, b)`` as
``impl(a, b)``. Arguments listed in ``item_args`` are *item-relative* (``orders.sum(price)``,
``groupBy(storeId)``, ``filter(age >= 21)``): the compiler passes them as one-argument
callables evaluated against each element of the receiver. Constructs that need lazy
evaluation or the evaluation context (``if``, ``inSegment``, ``currentMonth``...) are special
forms in the compiler, listed here with ``impl=None`` so that the table is the one catalogue.

Every implementation follows the null rules of PQL.md §10: predicates are false when an
operand is null, and null propagates through value functions.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from segctl.pql import timeutil
from segctl.pql.evaluator import regex_java
from segctl.pql.evaluator.ops import eq, like, matches
from segctl.pql.evaluator.runtime import items_of, truth

Item = Callable[[Any], Any]


@dataclass(frozen=True)
class Function:
    """One registry row. ``arity`` counts the receiver of a method as the first argument.

    Columns beyond the implementation, read by every axis of the package: ``method`` (written
    ``recv.f(...)``; False: free-standing ``f(...)``, as pql/json's fnApply writes it too),
    ``aggregate`` (folds a collection into one value: over events it is not streamable, §12),
    ``segment`` (False: decisioning-only PQL, §6.12, which parses but never runs on a profile).
    """

    name: str
    impl: Callable[..., Any] | None
    min_args: int
    max_args: int
    method: bool = True
    item_args: frozenset[int] = frozenset()
    boolean: bool = False
    doc: str = ""
    aggregate: bool = False
    segment: bool = True


# ---- strings (§6.6): null-safe false; optional last argument = case-sensitive (default true) ---


def _fold(s: str, case_sensitive: Any) -> str:
    return s if case_sensitive is not False else s.casefold()


def _case_flag(flag: Any) -> bool | None:
    """The case argument as a Boolean (``"false"`` coerces, §10), None when null or unusable."""
    if flag is True or flag is False:
        return flag
    if flag.__class__ is str and flag.lower() in ("true", "false"):
        return flag.lower() == "true"
    return None


def _string_test(test: Callable[[str, str], bool], negate: bool) -> Callable[..., bool]:
    def apply(s: Any, t: Any, case_sensitive: Any = True) -> bool:
        if s is None or t.__class__ is not str:
            return False
        if case_sensitive is not True:
            case_sensitive = _case_flag(case_sensitive)
            if case_sensitive is None:  # a null operand: false, the doesNot* forms too (§10)
                return False
        if s.__class__ is list:
            return any(apply(x, t, case_sensitive) for x in s)
        if s.__class__ is not str:
            return False
        return test(_fold(s, case_sensitive), _fold(t, case_sensitive)) is not negate

    return apply


def _regex_group(s: Any, pattern: Any, group: Any) -> Any:
    if s.__class__ is not str or pattern.__class__ is not str or group.__class__ is not int:
        return None
    compiled = regex_java.java_regex(pattern)
    if compiled is None or not 0 <= group <= compiled.groups:
        return None
    found = compiled.search(s)
    return found.group(group) if found is not None else None


# ---- objects (§6.7) ---------------------------------------------------------------------------


def _is_null(x: Any) -> bool:
    """Absent: null, or an empty projection/array [I]."""
    return x is None or (x.__class__ is list and not x)


# ---- arrays and sets (§6.3) -------------------------------------------------------------------


def _member(x: Any, values: Any) -> bool:
    return any(eq(x, y) for y in values)


def _lists(a: Any, b: Any) -> bool:
    return a is not None and b is not None


def _intersects(a: Any, b: Any) -> bool:
    return _lists(a, b) and any(_member(x, items_of(b)) for x in items_of(a))


def _intersection(a: Any, b: Any) -> Any:
    if not _lists(a, b):
        return None
    right = items_of(b)
    return _distinct([x for x in items_of(a) if _member(x, right)])


def _subset_of(a: Any, b: Any) -> bool:
    return _lists(a, b) and all(_member(x, items_of(b)) for x in items_of(a))


def _superset_of(a: Any, b: Any) -> bool:
    return _lists(a, b) and all(_member(y, items_of(a)) for y in items_of(b))


def _includes(a: Any, item: Any) -> bool:
    return a is not None and item is not None and _member(item, items_of(a))


_NUMBER_KIND = {int: float}  # 1 and 1.0 are one number, as for `=`; true is not 1


def _distinct(a: Any) -> Any:
    if a is None:
        return None
    out: list[Any] = []
    kinds: list[type] = []
    for x in items_of(a):
        kind = _NUMBER_KIND.get(x.__class__, x.__class__)
        if not any(x == y and kind is k for y, k in zip(out, kinds, strict=True)):
            out.append(x)
            kinds.append(kind)
    return out


def _group_key(key: Any) -> Any:
    """A hashable map key: arrays become tuples, objects their canonical JSON text [I]."""
    if key.__class__ is list:
        key = tuple(_group_key(k) for k in key)
    try:
        hash(key)
    except TypeError:
        return json.dumps(key, sort_keys=True, default=str)
    return key


def _group_by(a: Any, key: Item) -> Any:
    if a is None:
        return None
    groups: dict[Any, list[Any]] = {}
    for x in items_of(a):
        k = key(x)
        if k is None or k.__class__ is dict:
            continue
        groups.setdefault(_group_key(k), []).append(x)
    return groups


def _filter(a: Any, cond: Item) -> Any:
    return None if a is None else [x for x in items_of(a) if truth(cond(x))]


def _exists(a: Any, cond: Item) -> bool:
    return a is not None and any(truth(cond(x)) for x in items_of(a))


@dataclass(frozen=True)
class MapEntry:
    """``mapEntry(key, value)``: collected into a map by ``map``."""

    key: Any
    value: Any


def _map_entry(key: Any, value: Any) -> MapEntry:
    return MapEntry(key, value)


def _map(a: Any, fn: Item) -> Any:
    """``list.map(expr)`` -> list; ``map.map((K, G) => ...)`` or ``map.map(expr)`` -> map.

    The compiler passes a lambda of two parameters as a callable taking ``(key, value)``; an
    item expression receives the element (the group, for a map: ``this``).
    """
    if a is None:
        return None
    pairwise = getattr(fn, "pairwise", False)
    if a.__class__ is dict:
        out: dict[Any, Any] = {}
        for k, v in a.items():
            result = fn((k, v)) if pairwise else fn(v)
            if isinstance(result, MapEntry):
                out[_group_key(result.key)] = result.value
            else:
                out[k] = result
        return out
    results = [fn((None, x)) if pairwise else fn(x) for x in items_of(a)]
    if results and all(isinstance(r, MapEntry) for r in results):
        return {_group_key(r.key): r.value for r in results}
    return results


def _sorted_by(a: Any, key: Item, n: Any, descending: bool) -> Any:
    if a is None or n.__class__ is not int:
        return None
    keyed = [(key(x), x) for x in items_of(a)]
    numbers = [(k, x) for k, x in keyed if k.__class__ in (int, float) and k.__class__ is not bool]
    strings = [(k, x) for k, x in keyed if k.__class__ is str]
    usable = numbers if len(numbers) >= len(strings) else strings
    usable.sort(key=lambda kx: kx[0], reverse=descending)
    return [x for _, x in usable[: max(n, 0)]]


def _top_n(a: Any, key: Item, n: Any) -> Any:
    """Highest first (the doc's example, "highest price" [I])."""
    return _sorted_by(a, key, n, True)


def _bottom_n(a: Any, key: Item, n: Any) -> Any:
    return _sorted_by(a, key, n, False)


def _head(a: Any) -> Any:
    if a.__class__ is list:
        return a[0] if a else None
    return a


# ---- aggregation (§6.4): missing values skipped; sum of nothing 0; others null ----------------


def _count(a: Any, cond: Item | None = None) -> int:
    if a is None:
        return 0
    if a.__class__ is dict and cond is None:
        return len(a)
    values = items_of(a)
    return len(values) if cond is None else sum(1 for x in values if truth(cond(x)))


def _numbers(a: Any, value: Item | None) -> list[Any]:
    out: list[Any] = []
    for x in items_of(a):
        v = x if value is None else value(x)
        if v.__class__ is list:
            out.extend(y for y in v if y.__class__ in (int, float))
        elif v.__class__ in (int, float):
            out.append(v)
    return out


def _comparables(a: Any, value: Item | None) -> list[Any]:
    numbers = _numbers(a, value)
    if numbers:
        return numbers
    return [v for v in (x if value is None else value(x) for x in items_of(a))
            if v.__class__ is str]


def _sum(a: Any, value: Item | None = None) -> Any:
    return sum(_numbers(a, value))


def _average(a: Any, value: Item | None = None) -> Any:
    values = _numbers(a, value)
    return sum(values) / len(values) if values else None


def _min(a: Any, value: Item | None = None) -> Any:
    values = _comparables(a, value)
    return min(values) if values else None


def _max(a: Any, value: Item | None = None) -> Any:
    values = _comparables(a, value)
    return max(values) if values else None


# ---- maps (§6.5) --------------------------------------------------------------------------------


def _get(m: Any, key: Any) -> Any:
    if m.__class__ is not dict or key is None:
        return None
    return m.get(_group_key(key))


def _keys(m: Any) -> Any:
    return list(m.keys()) if m.__class__ is dict else None


def _values(m: Any) -> Any:
    return list(m.values()) if m.__class__ is dict else None


# ---- dates (§6.9): UTC ------------------------------------------------------------------------


def _date_part(part: Callable[[int], int]) -> Callable[[Any], Any]:
    def apply(value: Any) -> Any:
        t = timeutil.to_micros(value)
        return None if t is None or not timeutil.in_range(t) else part(t)

    return apply


def _s(test: Callable[[str, str], bool], negate: bool = False) -> Callable[..., bool]:
    return _string_test(test, negate)


_ITEM1 = frozenset({1})

FUNCTIONS: dict[str, Function] = {f.name: f for f in (
    # logical / control (special forms)
    Function("if", None, 3, 3, method=False, doc="if(test, a, b): lazy branch"),
    # strings
    Function("startsWith", _s(str.startswith), 2, 3, boolean=True),
    Function("doesNotStartWith", _s(str.startswith, True), 2, 3, boolean=True),
    Function("endsWith", _s(str.endswith), 2, 3, boolean=True),
    Function("doesNotEndWith", _s(str.endswith, True), 2, 3, boolean=True),
    Function("contains", _s(lambda s, t: t in s), 2, 3, boolean=True),
    Function("doesNotContain", _s(lambda s, t: t in s, True), 2, 3, boolean=True),
    Function("equals", _s(str.__eq__), 2, 3, boolean=True),
    Function("notEqualTo", _s(str.__eq__, True), 2, 3, boolean=True),
    Function("matches", matches, 2, 2, boolean=True),
    Function("like", like, 2, 2, boolean=True),
    Function("regexGroup", _regex_group, 3, 3),
    # objects
    Function("isNull", _is_null, 1, 1, boolean=True),
    Function("isNotNull", lambda x: not _is_null(x), 1, 1, boolean=True),
    # arrays, lists, sets
    Function("intersects", _intersects, 2, 2, boolean=True),
    Function("intersection", _intersection, 2, 2),
    Function("subsetOf", _subset_of, 2, 2, boolean=True),
    Function("supersetOf", _superset_of, 2, 2, boolean=True),
    Function("includes", _includes, 2, 2, boolean=True),
    Function("distinct", _distinct, 1, 1, aggregate=True),
    Function("groupBy", _group_by, 2, 2, item_args=_ITEM1, aggregate=True),
    Function("filter", _filter, 2, 2, item_args=_ITEM1),
    Function("map", _map, 2, 2, item_args=_ITEM1, aggregate=True),
    Function("topN", _top_n, 3, 3, item_args=_ITEM1, aggregate=True),
    Function("bottomN", _bottom_n, 3, 3, item_args=_ITEM1, aggregate=True),
    Function("head", _head, 1, 1),
    Function("exists", _exists, 2, 2, item_args=_ITEM1, boolean=True),
    # aggregation
    Function("count", _count, 1, 2, item_args=_ITEM1, aggregate=True),
    Function("sum", _sum, 1, 2, item_args=_ITEM1, aggregate=True),
    Function("average", _average, 1, 2, item_args=_ITEM1, aggregate=True),
    Function("min", _min, 1, 2, item_args=_ITEM1, aggregate=True),
    Function("max", _max, 1, 2, item_args=_ITEM1, aggregate=True),
    # maps
    Function("get", _get, 2, 2),
    Function("keys", _keys, 1, 1),
    Function("values", _values, 1, 1),
    Function("mapEntry", _map_entry, 2, 2, method=False),
    # dates (UTC)
    Function("getMonth", _date_part(timeutil.month_of), 1, 1),
    Function("getYear", _date_part(timeutil.year_of), 1, 1),
    Function("getDayOfMonth", _date_part(timeutil.day_of_month), 1, 1),
    Function("currentMonth", None, 0, 0, method=False, doc="month of now (UTC)"),
    Function("currentYear", None, 0, 0, method=False, doc="year of now (UTC)"),
    Function("currentDayOfMonth", None, 0, 0, method=False, doc="day of month of now (UTC)"),
    Function("date", None, 3, 3, method=False,
             doc="date(year, month, day): a calendar date (the parser makes it a DateLiteral)"),
    # segment membership
    Function("inSegment", None, 1, 1, method=False, boolean=True,
             doc="membership by segment id, answered by the in_segment callback"),
    # decisioning only: parses, never evaluates on a profile
    Function("modelInstances", None, 0, 255, method=False, segment=False,
             doc="multi-entity query of decisioning PQL"),
)}

"""Tree utilities: generic walk/transform, and ``inSegment`` references (segment-of-segments).

``segment_refs`` lets the project and engine order segments by dependency; ``rewrite_segment_refs``
turns ``inSegment("key:...")`` names into real ids (and back) when a plan is applied.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import fields, replace
from typing import Any, TypeVar

from segctl.pql import ast as a

N = TypeVar("N", bound=a.Node)


#: node type -> the names of its fields (``dataclasses.fields`` reflects on every call)
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def children(node: a.Node) -> Iterator[a.Node]:
    """The direct child nodes of ``node`` in field order (descending into tuples)."""
    return iter(_children(node))


def _children(node: a.Node) -> list[a.Node]:
    names = _FIELD_NAMES.get(type(node))
    if names is None:
        names = _FIELD_NAMES[type(node)] = tuple(f.name for f in fields(node))
    found: list[a.Node] = []
    for name in names:
        _collect(getattr(node, name), found)
    return found


def _collect(value: Any, found: list[a.Node]) -> None:
    if isinstance(value, a.Node):
        found.append(value)
    elif isinstance(value, tuple):
        for item in value:
            _collect(item, found)


def walk(node: a.Node) -> Iterator[a.Node]:
    """Every node of the tree, parents before children (pre-order)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        found = _children(current)
        if found:
            found.reverse()
            stack.extend(found)


def transform(node: N, fn: Callable[[a.Node], a.Node]) -> N:
    """A new tree: children are transformed first, then ``fn`` is applied to each rebuilt node.

    ``fn`` returns its argument unchanged to keep a node; unchanged subtrees are shared, not
    copied. ``fn`` should map an Expr to an Expr (and a TimeSpec to a TimeSpec ...).
    """
    changes: dict[str, Any] = {}
    for f in fields(node):
        value = getattr(node, f.name)
        new = _transform_value(value, fn)
        if new is not value:
            changes[f.name] = new
    rebuilt = replace(node, **changes) if changes else node
    result = fn(rebuilt)
    return result  # type: ignore[return-value]


def _transform_value(value: Any, fn: Callable[[a.Node], a.Node]) -> Any:
    if isinstance(value, a.Node):
        return transform(value, fn)
    if isinstance(value, tuple):
        items = tuple(_transform_value(item, fn) for item in value)
        return value if all(x is y for x, y in zip(items, value, strict=True)) else items
    return value


def _segment_call_id(node: a.Node) -> str | None:
    if (type(node) is a.Call and node.name == "inSegment" and node.args
            and type(node.args[0]) is a.StringLiteral):
        return node.args[0].value
    return None


def segment_refs(expr: a.Expr) -> frozenset[str]:
    """The segment ids (or ``key:...`` names) used as ``inSegment("...")`` arguments."""
    found = set()
    for node in walk(expr):
        ref = _segment_call_id(node)
        if ref is not None:
            found.add(ref)
    return frozenset(found)


def rewrite_segment_refs(expr: a.Expr, mapping: Callable[[str], str]) -> a.Expr:
    """``expr`` with every ``inSegment("x")`` argument replaced by ``mapping("x")``."""

    def rewrite(node: a.Node) -> a.Node:
        ref = _segment_call_id(node)
        if ref is None:
            return node
        assert isinstance(node, a.Call)
        new = mapping(ref)
        if new == ref:
            return node
        return a.Call(node.name, (a.StringLiteral(new), *node.args[1:]))

    return transform(expr, rewrite)

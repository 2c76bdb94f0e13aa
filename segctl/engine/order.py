"""Dependency order from ``inSegment`` references.

Referenced segments are written before the segments that reference them (their ids must exist
first); deletes run the other way round (dependents first).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from segctl.engine.model import SegmentChange

T = TypeVar("T")


def topo(nodes: Iterable[str], graph: Mapping[str, Iterable[str]]) -> list[str]:
    """Every node after the nodes it points to; ties keep input order, cycles are cut."""
    out: list[str] = []
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    for start in nodes:
        stack: list[tuple[str, Any]] = [(start, None)]
        while stack:
            node, children = stack.pop()
            if children is None:
                if state.get(node):
                    continue
                state[node] = 1
                children = iter(graph.get(node, ()))
            nxt = next((n for n in children if not state.get(n)), None)
            if nxt is None:
                state[node] = 2
                out.append(node)
            else:
                stack.append((node, children))
                stack.append((nxt, None))
    return out


def dependency_order(
    changes: Sequence[SegmentChange], refs: Mapping[str, Sequence[str]]
) -> list[SegmentChange]:
    """``changes`` (one per key) with every segment after the segments it references."""
    by_key = {c.key: c for c in changes}
    graph = {k: [r for r in refs.get(k, ()) if r in by_key] for k in by_key}
    return [by_key[k] for k in topo(list(by_key), graph)]


def ordered_keys(keys: Iterable[str], refs: Mapping[str, Sequence[str]]) -> list[str]:
    """``keys`` in dependency order (references first)."""
    wanted = list(dict.fromkeys(keys))
    chosen = set(wanted)
    graph = {k: [r for r in refs.get(k, ()) if r in chosen] for k in wanted}
    return topo(wanted, graph)


def dependents(keys: Iterable[str], refs: Mapping[str, Sequence[str]]) -> set[str]:
    """Every declared key that references one of ``keys``, transitively (``keys`` included)."""
    users: dict[str, list[str]] = {}
    for key, targets in refs.items():
        for target in targets:
            users.setdefault(target, []).append(key)
    seen = set(keys)
    todo = list(seen)
    while todo:
        for user in users.get(todo.pop(), ()):
            if user not in seen:
                seen.add(user)
                todo.append(user)
    return seen

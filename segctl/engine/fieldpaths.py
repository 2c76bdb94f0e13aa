"""Where two nested JSON-like documents differ, as field paths (pure).

``changed_paths({"filter": {"segments": {"vip": {"status": ["realized"]}}}}, ...)`` gives
``("filter.segments[vip].status",)``: deepdiff walks both trees and reports each difference
once, at the deepest node where it happens (an added or removed key, a changed value, a value
of another type). Paths read the way the document is written: object members with dots, the
keys of a ``keyed`` map (members named by data, such as segment keys) in brackets, and a list is
reported as a whole (``fields``), since its positions mean nothing to a reader.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def changed_paths(before: Mapping[str, Any], after: Mapping[str, Any], *,
                  keyed: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The sorted, distinct field paths at which ``before`` and ``after`` differ."""
    if before == after:  # the common case, and deepdiff's setup is not free
        return ()
    from deepdiff import DeepDiff  # imported here: ~0.2 s that only a difference pays for

    delta = DeepDiff(dict(before), dict(after), ignore_order=False,
                     ignore_numeric_type_changes=True, view="tree")  # 1 == 1.0, as for ==
    paths = {_path(level.path(output_format="list"), keyed)
             for group in delta.values() for level in group}
    return tuple(sorted(p for p in paths if p))


def _path(steps: list[Any], keyed: frozenset[str]) -> str:
    out = ""
    parent: Any = None
    for step in steps:
        if isinstance(step, int):  # into a list: the list itself is what changed
            break
        name = str(step)
        out = f"{out}[{name}]" if parent in keyed else (f"{out}.{name}" if out else name)
        parent = step
    return out

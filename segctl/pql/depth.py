"""How deep a PQL tree is, and where it crosses :data:`~segctl.pql.limits.MAX_DEPTH`: iterative
walks, so a tree too deep for recursion can still be measured and located."""

from __future__ import annotations

from segctl.pql import ast as a
from segctl.pql.limits import MAX_DEPTH
from segctl.pql.refs import children


def depth_path(root: a.Node) -> list[a.Node]:
    """The nodes of one deepest root-to-leaf path of ``root``, root first (iterative)."""
    depth: dict[int, int] = {}
    deepest_child: dict[int, a.Node | None] = {}
    stack: list[tuple[a.Node, bool]] = [(root, False)]
    while stack:
        node, ready = stack.pop()
        key = id(node)
        if key in depth:
            continue
        kids = list(children(node))
        if not ready:
            stack.append((node, True))
            stack.extend((kid, False) for kid in kids if id(kid) not in depth)
            continue
        best: a.Node | None = max(kids, key=lambda kid: depth[id(kid)], default=None)
        deepest_child[key] = best
        depth[key] = 1 + (depth[id(best)] if best is not None else 0)
    path: list[a.Node] = []
    current: a.Node | None = root
    while current is not None:
        path.append(current)
        current = deepest_child[id(current)]
    return path


def crossing(root: a.Node) -> list[a.Node]:
    """Root-first path down to the node where the tree first exceeds :data:`MAX_DEPTH`.

    Empty when ``root`` is within the limit; otherwise its last node is the innermost one
    whose subtree alone is ``MAX_DEPTH + 1`` levels deep.
    """
    path = depth_path(root)
    if len(path) <= MAX_DEPTH:
        return []
    return path[: len(path) - MAX_DEPTH]

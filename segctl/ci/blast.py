"""Blast radius: which declared segments change membership *indirectly*, because a segment
they reference with ``inSegment`` (directly or through others) gets a new rule or goes away.
Pure: computed from the plan's declared references."""

from __future__ import annotations

from collections import defaultdict

from segctl.engine import Action, Plan, SegmentChange


def rule_changed(change: SegmentChange) -> bool:
    """Whether who is a member of ``change``'s segment may change with this plan."""
    if change.action in (Action.REPLACE, Action.DELETE):
        return True
    return change.action is Action.UPDATE and any(f.field == "pql" for f in change.fields)


def indirect(plan: Plan) -> dict[str, tuple[str, ...]]:
    """Each segment whose own rule is unchanged but that depends on a segment whose rule
    changes -> the changed segments it depends on (sorted)."""
    users: dict[str, set[str]] = defaultdict(set)  # key -> keys whose rule references it
    for change in plan.changes:
        if change.desired is not None:
            for ref in change.desired.refs:
                users[ref].add(change.key)
    direct = {c.key for c in plan.changes if rule_changed(c)}
    new = {c.key for c in plan.changes if c.action is Action.CREATE}  # no membership to change
    reached: dict[str, set[str]] = defaultdict(set)
    for origin in sorted(direct):
        stack, seen = [origin], {origin}
        while stack:
            for user in users.get(stack.pop(), ()):
                if user not in seen:
                    seen.add(user)
                    stack.append(user)
                    if user not in direct and user not in new:
                        reached[user].add(origin)
    return {key: tuple(sorted(origins)) for key, origins in sorted(reached.items())}


def subgraph(plan: Plan, extra: set[str]) -> list[tuple[str, str]]:
    """The ``(user, referenced)`` edges among changed segments and ``extra`` keys."""
    keep = {c.key for c in plan.actionable} | extra
    return [(c.key, ref) for c in plan.changes if c.desired is not None and c.key in keep
            for ref in c.desired.refs if ref in keep]

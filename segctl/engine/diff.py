"""The pure diff: normalised declared segments against normalised live ones.

Matching is by ownership-marker key first, then by name (adoption of an unmarked definition, or
of one marked with a key the project no longer declares). A rename is therefore an update that
keeps the id. Field-level before/after values compare the flat comparable views field by field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from segctl.engine.model import Action, DesiredSegment, FieldChange, PlanWarning, SegmentChange
from segctl.engine.normalise import (
    LiveSegment,
    MergePolicies,
    PlanError,
    live_pql_against,
    live_refs,
)
from segctl.engine.order import dependency_order, topo

# fields AEP cannot change in place: a change to any of them is a replace (new id)
REPLACE_FIELDS = frozenset({"schema"})
# fields whose change alters who qualifies, or how (so a batch segment is re-evaluated)
MEMBERSHIP_FIELDS = frozenset({"pql", "schema", "mergePolicy", "evaluation"})
# ``evaluation`` is compared as the type AEP will actually keep: AEP derives ``evaluationInfo``
# from the expression and the merge policy (AEP-API §13.2: streaming/edge only when the PQL is
# eligible and the merge policy is active on edge), so the declared type is first resolved by
# the same rules (normalise._effective_evaluation, which warns when it falls back to batch).
# Declared-vs-live then converges: a change is planned and applied through ``evaluationInfo``.


@dataclass(frozen=True)
class DiffResult:
    changes: tuple[SegmentChange, ...]
    warnings: tuple[PlanWarning, ...]
    unmanaged: tuple[str, ...]


def match(
    desired: Sequence[DesiredSegment], live: Sequence[LiveSegment], project: str = ""
) -> dict[str, LiveSegment]:
    """Declared key -> live definition.

    Only definitions this project owns or that are unclaimed (unmarked, or marked before
    projects existed) can match; another project's are never taken. Order: this project's
    marker key, then a declared move (``previousKeys``), then an unclaimed marker with the key
    (re-stamped, so no duplicate), then the name (adoption).
    """
    declared = {d.key for d in desired}
    mine = [x for x in sorted(live, key=lambda x: x.id) if x.project == project and x.key]
    unclaimed = [x for x in sorted(live, key=lambda x: x.id) if x.project is None]
    by_marker: dict[str, LiveSegment] = {}
    for item in mine:
        if item.key in declared:
            by_marker.setdefault(str(item.key), item)
    taken = {item.id for item in by_marker.values()}
    moved: dict[str, LiveSegment] = {}
    # a move finds the old key among this project's markers, then among pre-project ones
    owned_keys = {str(x.key): x for x in (*reversed(unclaimed), *reversed(mine))
                  if x.key and x.id not in taken}
    for want in desired:
        for old in want.previous_keys:
            found = owned_keys.get(old)
            if want.key not in by_marker and found is not None and found.id not in taken:
                moved[want.key] = found
                taken.add(found.id)
                break
    legacy: dict[str, LiveSegment] = {}
    for item in unclaimed:
        if item.key is not None and item.key in declared and item.id not in taken:
            legacy.setdefault(item.key, item)
    by_name: dict[str, LiveSegment] = {}
    for item in (*mine, *unclaimed):
        if item.id not in taken and (item.key is None or item.key not in declared):
            by_name.setdefault(item.name, item)
    matched: dict[str, LiveSegment] = {}
    for want in desired:
        found = by_marker.get(want.key) or moved.get(want.key)
        if found is None:
            candidate = legacy.get(want.key)
            if candidate is None or candidate.id in taken:
                candidate = by_name.get(want.name)
            if candidate is not None and candidate.id not in taken:
                found = candidate
        if found is not None:
            matched[want.key] = found
            taken.add(found.id)
    return matched


def foreign_collisions(
    desired: Sequence[DesiredSegment], live: Sequence[LiveSegment], project: str
) -> None:
    """A declared name held by another project's definition: refuse the plan, naming the owner
    (AEP names are unique per sandbox, and segctl never takes over another project's object)."""
    foreign = {x.name: x for x in live if x.project is not None and x.project != project}
    for want in desired:
        holder = foreign.get(want.name)
        if holder is not None:
            raise PlanError(
                f"segment {want.key!r}: the name {want.name!r} belongs to live segment "
                f"{holder.id}, owned by project {holder.project!r} (its key there: "
                f"{holder.key!r}); segctl never adopts, updates or deletes another project's "
                "segments",
                hint=f"rename this segment, or remove it from project {holder.project!r} first",
            )


def comparable_desired(want: DesiredSegment, policies: MergePolicies) -> dict[str, Any]:
    view: dict[str, Any] = {
        "name": want.name,
        "description": want.description,
        "pql": want.pql,
        "schema": want.schema,
        "mergePolicy": policies.label(want.merge_policy_id),
        "evaluation": want.evaluation,
        "labels": list(want.labels),
        "protect": want.protect,
        "lifecycle": want.lifecycle,
    }
    if want.ttl_in_days is not None:
        view["ttlInDays"] = want.ttl_in_days
    return view


def comparable_live(
    have: LiveSegment,
    want: DesiredSegment,
    id_to_key: Mapping[str, str],
    policies: MergePolicies,
    key_to_id: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "name": have.name,
        "description": have.description,
        "pql": live_pql_against(have, want, id_to_key,
                                key_to_id or {k: i for i, k in id_to_key.items()}),
        "schema": have.schema,
        # a definition without mergePolicyId uses the sandbox default
        "mergePolicy": policies.label(have.merge_policy_id or policies.default_id(have.schema)),
        "evaluation": have.evaluation,
        "labels": list(have.labels),
        "protect": have.protect,
        "lifecycle": have.lifecycle,
    }
    if have.lifecycle is None:  # read through /segment/definitions: no labels, no lifecycle
        view["labels"], view["lifecycle"] = list(want.labels), want.lifecycle
    if want.ttl_in_days is not None:  # undeclared TTL: whatever the server keeps is fine
        view["ttlInDays"] = have.ttl_in_days
    if want.merge_policy_id is None:
        view["mergePolicy"] = policies.label(want.merge_policy_id)
    return view


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """Top-level fields that differ, in the order of ``after`` (then any only ``before`` has).

    Both views are flat (scalars and the ``labels`` list), so ``!=`` per field is the whole
    comparison; nested documents go through :func:`segctl.engine.fieldpaths.changed_paths`."""
    if before == after:  # the common case
        return ()
    names = [*after, *(n for n in before if n not in after)]
    return tuple(FieldChange(name, before.get(name), after.get(name))
                 for name in names if before.get(name) != after.get(name))


def diff(
    desired: Sequence[DesiredSegment],
    live: Sequence[LiveSegment],
    policies: MergePolicies,
    *,
    prune: bool = False,
    project: str = "",
) -> DiffResult:
    """Changes (in dependency order), warnings and prune candidates. Pure.

    ``project`` names who owns what: live definitions marked by another project are never
    matched, updated or pruned (a declared name one of them holds is a :class:`PlanError`).
    """
    foreign_collisions(desired, live, project)
    matched = match(desired, live, project)
    id_to_key = {have.id: key for key, have in matched.items()}
    key_to_id = {key: have.id for key, have in matched.items()}
    raw: dict[str, SegmentChange] = {}
    for want in desired:
        raw[want.key] = _change_for(want, matched.get(want.key), id_to_key, key_to_id, policies)

    # a replaced segment gets a new id: its dependents must be rewritten to it
    replaced = {k for k, c in raw.items() if c.action is Action.REPLACE}
    for want in desired:
        change = raw[want.key]
        hit = sorted(replaced.intersection(want.refs))
        if hit and change.action is Action.NOOP:
            raw[want.key] = _with(change, Action.UPDATE, f"references {', '.join(hit)}, "
                                  "which is replaced (new id)")
    needs_id = {k for k, c in raw.items() if c.action in (Action.CREATE, Action.REPLACE)}
    for want in desired:
        deps = tuple(r for r in want.refs if r in needs_id)
        if deps:
            raw[want.key] = _with(raw[want.key], depends_on=deps)

    deletes, warnings, unmanaged = _orphans(desired, live, matched, prune, project)
    warnings += _names_in_use(raw, live, id_to_key, deletes)
    after = {d.key: (*d.refs, *raw[d.key].depends_on) for d in desired}
    ordered = dependency_order(list(raw.values()), after)
    return DiffResult(tuple(deletes) + tuple(ordered), tuple(warnings), tuple(unmanaged))


def _names_in_use(
    raw: dict[str, SegmentChange],
    live: Sequence[LiveSegment],
    id_to_key: Mapping[str, str],
    deletes: Sequence[SegmentChange],
) -> list[PlanWarning]:
    """Names are unique in a sandbox: a create or rename that takes a name another definition
    holds waits for that one's rename or delete; when nothing frees it, warn (AEP answers 422)."""
    holders = {have.name: have for have in live}
    deleted = {c.id: c.key for c in deletes}
    warnings: list[PlanWarning] = []
    for key, change in raw.items():
        if change.action not in (Action.CREATE, Action.UPDATE) or change.desired is None:
            continue
        holder = holders.get(change.desired.name)
        if holder is None or holder.id == change.id:
            continue
        other = id_to_key.get(holder.id)
        other_change = raw.get(other) if other is not None else None
        if other_change is not None and other_change.desired is not None \
                and other_change.desired.name != holder.name:
            frees = other_change.key
        elif holder.id in deleted:
            frees = deleted[holder.id]
        else:
            warnings.append(PlanWarning(
                "name-taken", f"{key}: the name {holder.name!r} belongs to another live "
                "segment definition that this plan keeps; AEP will refuse it", key))
            continue
        raw[key] = _with(change, depends_on=tuple(dict.fromkeys((*change.depends_on, frees))))
    return warnings


def _change_for(
    want: DesiredSegment,
    have: LiveSegment | None,
    id_to_key: Mapping[str, str],
    key_to_id: Mapping[str, str],
    policies: MergePolicies,
) -> SegmentChange:
    if have is None:
        return SegmentChange(Action.CREATE, want.key, want.name, desired=want,
                             evaluation=want.evaluation)
    after = comparable_desired(want, policies)
    before = comparable_live(have, want, id_to_key, policies, key_to_id)
    fields = field_changes(before, after)
    adopted = have.key != want.key or have.project != want.project
    action, reason = Action.NOOP, ""
    if any(f.field in REPLACE_FIELDS for f in fields):
        if have.protect or want.protect:
            raise PlanError(
                f"segment {want.key!r} is protected, but changing "
                f"{', '.join(f.field for f in fields if f.field in REPLACE_FIELDS)} "
                "requires replacing it (AEP cannot change it in place)",
                hint="revert the change, or set `protect: false` and apply that first",
            )
        action, reason = Action.REPLACE, "schema cannot change in place"
    elif fields or adopted:
        action = Action.UPDATE
    if adopted:
        if have.key is None:
            how = "adopted by name"
        elif have.key in want.previous_keys:
            how = f"moved from key {have.key!r} (previousKeys), keeping its id"
        elif have.project is None and have.key == want.key:
            how = "marked before projects existed"
        else:
            how = f"adopted from key {have.key!r}"
        note = f"{how}: apply stamps the ownership marker of project {want.project!r}"
        reason = "; ".join(filter(None, [reason, note]))
    return SegmentChange(action, want.key, want.name, id=have.id, fields=fields, desired=want,
                         reason=reason, adopted=adopted, evaluation=want.evaluation)


def _orphans(
    desired: Sequence[DesiredSegment],
    live: Sequence[LiveSegment],
    matched: Mapping[str, LiveSegment],
    prune: bool,
    project: str = "",
) -> tuple[list[SegmentChange], list[PlanWarning], list[str]]:
    """Definitions this project owns that nothing declares any more (prune deletes them).
    Unclaimed and other projects' definitions are never orphans of this project."""
    used = {have.id for have in matched.values()}
    orphans = [item for item in live
               if item.id not in used and item.key is not None and item.project == project]
    warnings: list[PlanWarning] = []
    if not prune:
        return [], warnings, sorted(item.name for item in orphans)
    doomed = {item.id: item for item in orphans if not item.protect}
    for item in orphans:
        if item.protect:
            warnings.append(PlanWarning("protected", f"{item.key}: not declared any more but "
                                        "protected; prune leaves it in place", item.key))
    refs = {item.id: live_refs(item) for item in live}
    # a declared segment that references a doomed one today but not in the files is updated
    # first; any other live reference keeps the doomed segment (AEP refuses the delete)
    declared_by_id = {have.id: want for want in desired
                      if (have := matched.get(want.key)) is not None}
    names = {x.id: x.name for x in live}
    changed = True
    while changed:
        changed = False
        for item in list(doomed.values()):
            users = [other for other in refs if other not in doomed and item.id in refs[other]]
            blocking = sorted(u for u in users if u not in declared_by_id
                              or f'inSegment("{item.id}")' in declared_by_id[u].pql)
            if blocking:
                used_by = ", ".join(names[u] for u in blocking)
                warnings.append(PlanWarning(
                    "still-referenced", f"{item.key}: not deleted, still referenced by {used_by}",
                    item.key,
                ))
                del doomed[item.id]
                changed = True
    # dependents first: a definition is deleted before the ones it references
    graph = {i: tuple(r for r in refs[i] if r in doomed) for i in doomed}
    order = list(reversed(topo(sorted(doomed, key=lambda i: doomed[i].name), graph)))
    key_of = {i: doomed[i].key or i for i in doomed}

    def first(i: str) -> tuple[str, ...]:
        dependents = {key_of[j] for j in doomed if i in refs[j]}
        updated = {declared_by_id[u].key for u in declared_by_id if i in refs[u]}
        return tuple(sorted(dependents | updated))

    deletes = [
        SegmentChange(Action.DELETE, key_of[i], doomed[i].name, id=i, depends_on=first(i),
                      evaluation=doomed[i].evaluation)
        for i in order
    ]
    return deletes, warnings, []


def _with(change: SegmentChange, action: Action | None = None, reason: str | None = None,
          depends_on: tuple[str, ...] | None = None) -> SegmentChange:
    return replace(
        change,
        action=action or change.action,
        reason="; ".join(filter(None, [change.reason, reason])) if reason else change.reason,
        depends_on=depends_on if depends_on is not None else change.depends_on,
    )

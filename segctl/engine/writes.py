"""The one recorded list of writes a plan makes (pure).

``planned_writes(plan)`` lists every definition, audience, dataset and schedule write apply
sends, each with its exact body (labels, TTL and lifecycle go to the audience, a JSON Patch of
``add`` operations: AEP keeps them there). ``engine.apply`` sends these bodies and nothing else, and
the renderings show the values of these same bodies (:func:`shown_values`), so what is
reviewed before "yes" is what is sent. The only thing filled in at send time is the live id
behind an ``inSegment("key:<key>")`` reference to a segment created in the same apply
(:func:`resolve_refs`), and the new id an audience write of a created segment goes to.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from segctl import pql
from segctl.aep.documents import evaluation_of
from segctl.engine import marker
from segctl.engine.model import Action, DatasetChange, Plan, ScheduleChange, SegmentChange
from segctl.engine.normalise import (
    AUDIENCE_FIELDS,
    KEY_PREFIX,
    audience_fields,
    definition_payload,
)
from segctl.engine.schedules import create_body, export_view, patch_fields

PROFILE_UNION = "https://ns.adobe.com/xdm/context/profile__union"


@dataclass(frozen=True)
class Write:
    """One write apply sends: ``kind`` segment, audience or dataset, ``verb`` create /
    update / replace / delete, the live ``id`` (None for a create, and for the audience of a
    segment this apply creates) and the ``body`` (None for a delete; for an audience, the
    fields its PATCH sets)."""

    kind: str
    verb: str
    key: str
    id: str | None
    body: Mapping[str, Any] | None


def segment_body(change: SegmentChange) -> dict[str, Any]:
    """The definition body for a create, update or replace, references still as ``key:``."""
    assert change.desired is not None
    return definition_payload(change.desired, lambda key: f"{KEY_PREFIX}{key}")


def dataset_body(dataset: DatasetChange, project: str) -> dict[str, Any]:
    """The Catalog body of a dataset created for an export, tagged with its owner."""
    return {
        "name": dataset.name,
        "description": f"Members exported by segctl (export {dataset.export}).",
        "schemaRef": {"id": PROFILE_UNION,
                      "contentType": "application/vnd.adobe.xed+json;version=1"},
        "fileDescription": {"persisted": True, "containerFormat": "parquet",
                            "format": "parquet"},
        "tags": marker.dataset_tags(dataset.export, project=project),
    }


def segment_write(change: SegmentChange) -> Write:
    body = None if change.action is Action.DELETE else segment_body(change)
    return Write("segment", change.action.value, change.key, change.id, body)


def writes_definition(change: SegmentChange) -> bool:
    """False for an update that changes only what the audience keeps (then only the audience
    is written); a create, replace, adoption, move or reference rewrite writes the
    definition."""
    if change.action is not Action.UPDATE or change.adopted or not change.fields:
        return True
    return any(f.field not in AUDIENCE_FIELDS for f in change.fields)


def audience_write(change: SegmentChange) -> Write | None:
    """The audience PATCH of a segment change: for a new segment the audience fields that
    differ from a new audience's defaults, for an update those that changed; None when there
    are none."""
    if change.action is Action.DELETE or change.desired is None:
        return None
    changed = None if change.action in (Action.CREATE, Action.REPLACE) else \
        [f.field for f in change.fields]
    fields = audience_fields(change.desired, changed)
    if not fields:
        return None
    live_id = change.id if change.action is Action.UPDATE else None
    return Write("audience", "update", change.key, live_id, fields)


def segment_writes(change: SegmentChange) -> list[Write]:
    """The writes of one segment change, in the order apply sends them."""
    writes = [segment_write(change)] if writes_definition(change) else []
    audience = audience_write(change)
    return writes + ([audience] if audience is not None else [])


def planned_writes(plan: Plan) -> tuple[Write, ...]:
    """Every write of ``plan``, in plan order: segment definitions (each followed by its
    audience's), then datasets."""
    writes = [w for c in plan.actionable for w in segment_writes(c)]
    for dataset in plan.datasets:
        if dataset.action is Action.CREATE:
            writes.append(Write("dataset", "create", dataset.name, None,
                                dataset_body(dataset, plan.project)))
        elif dataset.action is Action.UPDATE:
            tags = marker.dataset_tags(dataset.export, project=plan.project)
            writes.append(Write("dataset", "update", dataset.name, dataset.id, {"tags": tags}))
        elif dataset.action is Action.DELETE:
            writes.append(Write("dataset", "delete", dataset.name, dataset.id, None))
    writes += [schedule_write(s) for s in plan.schedules_to_write]
    return tuple(writes)


def schedule_write(change: ScheduleChange) -> Write:
    """A schedule create (its POST body), replace (the old id, deleted, and the new POST
    body) or update (the fields its PATCH adds)."""
    if change.action is Action.CREATE:
        return Write("schedule", "create", change.key, None, create_body(change))
    if change.action is Action.REPLACE:
        return Write("schedule", "replace", change.key, change.id, create_body(change))
    return Write("schedule", "update", change.key, change.id, patch_fields(change))


def resolve_refs(body: Mapping[str, Any], key_to_id: Callable[[str], str]) -> dict[str, Any]:
    """``body`` with each ``inSegment("key:<key>")`` rewritten to the live id."""
    expression = dict(body["expression"])
    text = str(expression["value"])
    if f'"{KEY_PREFIX}' in text:
        expr = pql.rewrite_segment_refs(
            pql.parse(text),
            lambda ref: key_to_id(ref[len(KEY_PREFIX):]) if ref.startswith(KEY_PREFIX) else ref)
        expression["value"] = pql.to_text(expr)
    return {**body, "expression": expression}


def shown_values(write: Write, merge_policy: str | None = None,
                 audience: Write | None = None) -> dict[str, Any]:
    """The declared values a rendering shows for a segment write, read back from its body and
    from its audience write's (``merge_policy`` is the declared name, shown instead of the
    resolved id)."""
    body = {**(write.body or {}), **((audience.body or {}) if audience is not None else {})}
    description, mark = marker.parse(body.get("description"))
    return {
        "name": body.get("name"),
        "description": description or None,
        "pql": (body.get("expression") or {}).get("value"),
        "schema": (body.get("schema") or {}).get("name"),
        "ttlInDays": body.get("ttlInDays"),
        "mergePolicy": merge_policy or body.get("mergePolicyId"),
        "evaluation": evaluation_of(body.get("evaluationInfo")),
        "labels": list(body.get("labels") or ()) or None,
        "protect": (mark is not None and mark.protect) or None,
        "lifecycle": body.get("lifecycleState"),
    }


# the comparable fields of the diff whose "after" value is read from the write's body
_CHECKED = ("name", "description", "pql", "schema", "ttlInDays", "labels", "protect",
            "evaluation", "lifecycle")


def inconsistencies(plan: Plan) -> list[str]:
    """Field changes whose shown "after" value is not what the write sends (an edited plan:
    the reviewed diff and the body would disagree)."""
    problems: list[str] = []
    for change in plan.actionable:
        if change.action is Action.DELETE or change.desired is None:
            continue
        values = shown_values(segment_write(change), audience=audience_write(change))
        for field in change.fields:
            if field.field not in _CHECKED:
                continue
            sent = values.get(field.field)
            after = field.after
            if field.field in ("labels",):
                sent, after = sent or [], after or []
            if field.field == "protect":
                sent, after = bool(sent), bool(after)
            if field.field == "description":
                sent, after = sent or "", after or ""
            if sent != after:
                problems.append(f"{change.key}.{field.field}")
    for schedule in plan.schedules_to_write:
        declared = {"schedule": schedule.schedule, "state": schedule.state}
        if schedule.type == "export":
            view = export_view(schedule.properties, lambda ref: ref)
            declared.update({f"export.{part}": view[part] for part in view})
        problems += [f"schedule {schedule.key}.{f.field}" for f in schedule.fields
                     if f.field not in declared or declared[f.field] != f.after]
    return problems

"""``kind: Schedule`` against the live schedules (pure).

A sandbox has one ``batch_segmentation`` schedule (the system "Batch Segmentation" one,
help/segmentation/api/schedules.md), so a declared Schedule is matched to the live schedule of
its type, whatever its name: segctl updates that one (``schedule`` and ``state``, the two paths
the API's PATCH takes) and creates one only when the sandbox has none. Export schedules are not
managed (their properties are undocumented).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from segctl.engine.model import Action, FieldChange, ScheduleChange
from segctl.project import Schedule

# the fields a plan compares, in the order they are shown and patched
SCHEDULE_FIELDS = ("schedule", "state")


def _live_of_type(live: Iterable[Mapping[str, Any]], kind: str) -> Mapping[str, Any] | None:
    """The live schedule of type ``kind``; with several, the oldest (the system one)."""
    found = [s for s in live if s.get("type") == kind]
    found.sort(key=lambda s: (int(s.get("createEpoch") or 0), str(s.get("id"))))
    return found[0] if found else None


def _cron(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


def diff_schedules(declared: Iterable[Schedule],
                   live: Iterable[Mapping[str, Any]]) -> tuple[ScheduleChange, ...]:
    live = tuple(live)
    changes = []
    for want in declared:
        have = _live_of_type(live, want.type)
        if have is None:
            changes.append(ScheduleChange(Action.CREATE, want.key, want.type, want.name,
                                          want.schedule, want.state))
            continue
        before = {"schedule": _cron(have.get("schedule")), "state": have.get("state")}
        after = {"schedule": want.schedule, "state": want.state}
        fields = tuple(FieldChange(f, before[f], after[f]) for f in SCHEDULE_FIELDS
                       if before[f] != after[f])
        changes.append(ScheduleChange(Action.UPDATE if fields else Action.NOOP, want.key,
                                      want.type, want.name, want.schedule, want.state,
                                      id=str(have.get("id")), fields=fields))
    return tuple(changes)


def create_body(change: ScheduleChange) -> dict[str, Any]:
    """The POST body of a missing batch schedule: every batch audience (``segments: []``)."""
    return {"name": change.name, "type": change.type, "properties": {"segments": []},
            "schedule": change.schedule, "state": change.state}


def patch_fields(change: ScheduleChange) -> dict[str, Any]:
    """The fields an update sets (each becomes one ``add`` op of the PATCH)."""
    return {f.field: f.after for f in change.fields}

"""``kind: Schedule`` against the live schedules (pure).

A sandbox has one ``batch_segmentation`` schedule (the system "Batch Segmentation" one,
help/segmentation/api/schedules.md), so a declared batch Schedule is matched to the live
schedule of its type, whatever its name: segctl updates that one (``schedule`` and ``state``,
the two paths the API's PATCH takes) and creates one only when the sandbox has none.

An ``export`` Schedule runs one ``kind: Export``. Its ``properties`` are the body apply posts
to ``/export/jobs`` for that export (the sandbox's documented choice, FIDELITY.md), written
here with ``key:<segment key>`` and ``dataset:<dataset name>`` in place of the live ids, which
apply fills in when it sends them (:func:`resolve_properties`): the segments and the dataset
may be created by the same apply. It is matched to the live export schedule writing into the
export's dataset (the one with its name first, then the oldest). The API patches only
``state`` and ``schedule``, so a schedule whose export changed (segments, statuses, fields,
dataset) is replaced: deleted, then created anew.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from segctl.engine.model import Action, ExportRun, FieldChange, ScheduleChange
from segctl.engine.waiting import export_body
from segctl.project import Export, Schedule

# the fields a plan compares, in the order they are shown and patched
SCHEDULE_FIELDS = ("schedule", "state")
KEY = "key:"  # a segment by its declared key, in an export schedule's planned properties
DATASET = "dataset:"  # the export's dataset by name, likewise
# the parts of an export schedule's properties a plan compares (export.<part>)
EXPORT_PARTS = ("dataset", "segments", "status", "fields")


def _live_of_type(live: Iterable[Mapping[str, Any]], kind: str) -> Mapping[str, Any] | None:
    """The live schedule of type ``kind``; with several, the oldest (the system one)."""
    found = [s for s in live if s.get("type") == kind]
    found.sort(key=lambda s: (int(s.get("createEpoch") or 0), str(s.get("id"))))
    return found[0] if found else None


def _cron(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


def diff_schedules(declared: Iterable[Schedule], live: Iterable[Mapping[str, Any]], *,
                   exports: Mapping[str, Export] | None = None,
                   segment_ids: Mapping[str, str] | None = None,
                   datasets: Mapping[str, Mapping[str, Any]] | None = None,
                   ) -> tuple[ScheduleChange, ...]:
    """Each declared Schedule against the live schedules. For export schedules: ``exports``
    by key, ``segment_ids`` the live id of each segment that keeps it through this plan, and
    ``datasets`` the live datasets by name."""
    live = tuple(live)
    changes = []
    for want in declared:
        if want.type == "export":
            export = (exports or {}).get(want.export or "")
            if export is not None:
                changes.append(_diff_export(want, export, live, segment_ids or {},
                                            datasets or {}))
            continue
        have = _live_of_type(live, want.type)
        if have is None:
            changes.append(ScheduleChange(Action.CREATE, want.key, want.type, want.name,
                                          want.schedule, want.state))
            continue
        changes.append(_against(want, have, Action.UPDATE))
    return tuple(changes)


def _against(want: Schedule, have: Mapping[str, Any], action: Action,
             extra: tuple[FieldChange, ...] = (), **more: Any) -> ScheduleChange:
    before = {"schedule": _cron(have.get("schedule")), "state": have.get("state")}
    after = {"schedule": want.schedule, "state": want.state}
    fields = tuple(FieldChange(f, before[f], after[f]) for f in SCHEDULE_FIELDS
                   if before[f] != after[f]) + extra
    return ScheduleChange(action if fields else Action.NOOP, want.key, want.type, want.name,
                          want.schedule, want.state, id=str(have.get("id")), fields=fields,
                          **more)


def planned_properties(export: Export) -> dict[str, Any]:
    """The export job body of ``export`` (what apply posts to run it), ids as ``key:`` and
    ``dataset:`` references."""
    run = ExportRun(export.key, export.dataset, tuple(export.segments), export.fields,
                    tuple(export.status), reason="")
    return export_body(run, lambda key: f"{KEY}{key}", lambda name: f"{DATASET}{name}")


def _diff_export(want: Schedule, export: Export, live: tuple[Mapping[str, Any], ...],
                 segment_ids: Mapping[str, str],
                 datasets: Mapping[str, Mapping[str, Any]]) -> ScheduleChange:
    properties = planned_properties(export)
    more: dict[str, Any] = {"export": export.key, "properties": properties}
    dataset_id = str((datasets.get(export.dataset) or {}).get("id") or "")
    have = _live_export(live, dataset_id, want.name) if dataset_id else None
    if have is None:
        return ScheduleChange(Action.CREATE, want.key, want.type, want.name, want.schedule,
                              want.state, **more)
    names = {v: f"{KEY}{k}" for k, v in segment_ids.items()}
    names[dataset_id] = f"{DATASET}{export.dataset}"
    before = export_view(have.get("properties"), names.get)
    after = export_view(properties, lambda ref: ref)
    moved = tuple(FieldChange(f"export.{part}", before[part], after[part])
                  for part in EXPORT_PARTS if before[part] != after[part])
    return _against(want, have, Action.REPLACE if moved else Action.UPDATE, moved, **more)


def _live_export(live: Iterable[Mapping[str, Any]], dataset_id: str,
                 name: str) -> Mapping[str, Any] | None:
    found = [s for s in live if s.get("type") == "export"
             and _destination(s.get("properties")) == dataset_id]
    found.sort(key=lambda s: (s.get("name") != name, int(s.get("createEpoch") or 0),
                              str(s.get("id"))))
    return found[0] if found else None


def _destination(properties: Any) -> str | None:
    dest = properties.get("destination") if isinstance(properties, Mapping) else None
    if not isinstance(dest, Mapping):
        return None
    found = dest.get("datasetId") or dest.get("dataSetId")
    return str(found) if found else None


def _plain(ref: str) -> str:
    for prefix in (KEY, DATASET):
        if ref.startswith(prefix):
            return ref[len(prefix):]
    return ref


def export_view(properties: Any, name: Callable[[str], str | None]) -> dict[str, Any]:
    """What a plan compares and shows of an export schedule's properties: the dataset, the
    segments (keys where ``name`` knows the live id, else the id), the statuses of each and
    the fields."""
    props = properties if isinstance(properties, Mapping) else {}
    dest = _destination(props) or ""
    segments: dict[str, list[str]] = {}
    for entry in (props.get("filter") or {}).get("segments") or ():
        if isinstance(entry, Mapping) and "segmentId" in entry:
            sid = str(entry["segmentId"])
            segments[_plain(name(sid) or sid)] = sorted(str(s) for s in entry.get("status")
                                                        or ("existing", "realized"))
    raw = props.get("fields")
    fields = [f.strip() for f in raw.split(",") if f.strip()] if isinstance(raw, str) else None
    statuses = sorted({s for st in segments.values() for s in st})
    return {"dataset": _plain(name(dest) or dest), "segments": sorted(segments),
            "status": statuses, "fields": fields}


def resolve_properties(properties: Mapping[str, Any], segment_id: Callable[[str], str],
                       dataset_id: Callable[[str], str]) -> dict[str, Any]:
    """Planned properties with the live ids in place of ``key:`` and ``dataset:``."""
    body = {k: v for k, v in properties.items()}
    flt = dict(body.get("filter") or {})
    flt["segments"] = [{**entry, "segmentId": _resolve(entry["segmentId"], segment_id, KEY)}
                       for entry in flt.get("segments") or ()]
    body["filter"] = flt
    dest = dict(body.get("destination") or {})
    dest["datasetId"] = _resolve(dest["datasetId"], dataset_id, DATASET)
    body["destination"] = dest
    return body


def _resolve(ref: str, lookup: Callable[[str], str], prefix: str) -> str:
    return lookup(ref[len(prefix):]) if ref.startswith(prefix) else ref


def references(change: ScheduleChange) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(segment keys, dataset names) an export schedule's planned properties refer to."""
    props = change.properties if isinstance(change.properties, Mapping) else {}
    keys = tuple(str(e.get("segmentId"))[len(KEY):]
                 for e in (props.get("filter") or {}).get("segments") or ()
                 if str(e.get("segmentId", "")).startswith(KEY))
    dest = _destination(props) or ""
    return keys, ((dest[len(DATASET):],) if dest.startswith(DATASET) else ())


def create_body(change: ScheduleChange) -> dict[str, Any]:
    """The POST body of a schedule segctl creates: a missing batch schedule evaluates every
    batch audience (``segments: []``); an export schedule carries its export's job body."""
    properties = dict(change.properties) if change.type == "export" \
        and isinstance(change.properties, Mapping) else {"segments": []}
    return {"name": change.name, "type": change.type, "properties": properties,
            "schedule": change.schedule, "state": change.state}


def patch_fields(change: ScheduleChange) -> dict[str, Any]:
    """The fields an update sets (each becomes one ``add`` op of the PATCH)."""
    return {f.field: f.after for f in change.fields}

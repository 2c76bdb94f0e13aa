"""Is the last evaluation and export still current? (pure)

A change to a segment's expression is written by apply and then evaluated by a segment job and
exported. When that chain breaks (``apply --no-jobs``, a failed or cancelled job, a process
killed between the job and the export) the definitions already match the files, so the diff
alone would never run the job again and apply would not converge. The recent job history closes
the gap, from evidence only:

- a segment is *stale* when the newest successful segment job that evaluated it snapshotted an
  expression the definition no longer has. A segment no recent job evaluated is not stale: jobs
  are rationed, and "unknown" must not spend the quota on every plan;
- an export's dataset is *stale* when its newest export job failed or was cancelled, or when an
  on-demand segment job evaluated the export's segments after its newest successful export.
  Scheduled evaluations (``source: scheduler``) do not count: they run daily by design.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from segctl.aep.documents import (
    creation_time,
    export_signature,
    job_expressions,
    job_segment_ids,
)
from segctl.engine.fieldpaths import changed_paths

_FAILED = frozenset({"FAILED", "CANCELLED", "CANCELLING"})


@dataclass(frozen=True)
class ExportSettings:
    """What an export declares beyond its segments: ``fields`` (None = all) and ``status``;
    ``names`` maps live segment ids to declared keys, for the field paths of a change."""

    fields: tuple[str, ...] | None
    status: tuple[str, ...]
    names: Mapping[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Freshness:
    stale_segments: frozenset[str]  # live segment ids evaluated with an older expression
    stale_datasets: Mapping[str, str]  # dataset id -> why its export should run again
    # dataset id -> an export job still running with the export's current segments (apply
    # waits for it rather than exporting twice: a killed apply, `--timeout`)
    running_exports: Mapping[str, int] = field(default_factory=dict)


def assess(
    definitions: Sequence[Mapping[str, Any]],
    segment_jobs: Sequence[Mapping[str, Any]],
    export_jobs: Sequence[Mapping[str, Any]],
    exports: Iterable[tuple[str, Sequence[str]]],
    settings: Mapping[str, ExportSettings] | None = None,
) -> Freshness:
    """``exports`` pairs each live dataset id with the live segment ids exported into it;
    ``settings`` holds, per dataset id, the declared ``fields`` and ``status`` of its export
    (a successful export made with other settings is stale too)."""
    newest_first = sorted(segment_jobs, key=creation_time, reverse=True)
    # each successful job's snapshots, newest first: read once, not once per definition
    snapshots = [job_expressions(job) for job in newest_first if job.get("status") == "SUCCEEDED"]
    stale: set[str] = set()
    for definition in definitions:
        sid = str(definition.get("id"))
        for expressions in snapshots:
            snapshot = expressions.get(sid)
            if snapshot is not None:
                if snapshot != definition.get("expression"):
                    stale.add(sid)
                break

    datasets: dict[str, str] = {}
    running: dict[str, int] = {}
    for dataset_id, segment_ids in exports:
        reason = _export_staleness(dataset_id, set(segment_ids), newest_first, export_jobs,
                                   (settings or {}).get(dataset_id))
        if reason is not None:
            datasets[dataset_id] = reason
        exporting = _running_export(dataset_id, frozenset(segment_ids), export_jobs)
        if exporting is not None:
            running[dataset_id] = exporting
    return Freshness(frozenset(stale), datasets, running)


_RUNNING = frozenset({"NEW", "QUEUED", "PROCESSING"})


def _running_export(dataset_id: str, segment_ids: frozenset[str],
                    export_jobs: Sequence[Mapping[str, Any]]) -> int | None:
    into = sorted((j for j in export_jobs if export_signature(j)[0] == dataset_id),
                  key=creation_time, reverse=True)
    if into and into[0].get("status") in _RUNNING and export_signature(into[0])[1] == \
            segment_ids and isinstance(into[0].get("id"), int):
        return int(into[0]["id"])
    return None


def _export_staleness(
    dataset_id: str,
    segment_ids: set[str],
    segment_jobs: Sequence[Mapping[str, Any]],
    export_jobs: Sequence[Mapping[str, Any]],
    settings: ExportSettings | None = None,
) -> str | None:
    into = sorted((j for j in export_jobs if export_signature(j)[0] == dataset_id),
                  key=creation_time, reverse=True)
    if not into:
        return None  # the dataset's own state ("no successful export yet") decides
    if into[0].get("status") in _FAILED:
        return f"last export {str(into[0].get('status')).lower()}"
    done = [j for j in into if j.get("status") == "SUCCEEDED"]
    succeeded = [creation_time(j) for j in done]
    if not succeeded:
        return None
    changed = _settings_changed(done[0], segment_ids, settings)
    if changed:
        return f"{changed} changed since the last export"
    for job in segment_jobs:  # newest first
        if creation_time(job) <= succeeded[0]:
            break
        if (job.get("status") == "SUCCEEDED" and job.get("source", "api") == "api"
                and segment_ids & job_segment_ids(job)):
            return "segments evaluated since the last export"
    return None


def _settings_changed(job: Mapping[str, Any], segment_ids: set[str],
                      settings: ExportSettings | None) -> str:
    """The field paths at which the declared export differs from the request of the last
    successful export job ("" = none): its segments (``filter.segments[vip]``), the membership
    ``status`` values of each (``filter.segments[vip].status``) and ``fields`` (AEP-API §7.1: a
    comma-separated string). A job record without a filter, or without any status, says nothing
    about what it lacks."""
    exported = _exported_statuses(job)
    if not exported:
        return ""  # a job record without its filter: nothing to compare
    wanted_ids = segment_ids or set(exported)
    names = settings.names if settings is not None else {}
    with_status = settings is not None and any(exported.values())
    sent: dict[str, Any] = {"filter": {"segments": {
        names.get(sid, sid): ({"status": sorted(st)} if with_status else {})
        for sid, st in exported.items()}}}
    wanted: dict[str, Any] = {"filter": {"segments": {
        names.get(sid, sid): ({"status": sorted(set(settings.status))}
                              if with_status and settings is not None else {})
        for sid in wanted_ids}}}
    if settings is not None:
        raw = job.get("fields")
        fields = [f.strip() for f in raw.split(",") if f.strip()] \
            if isinstance(raw, str) else []
        sent["fields"] = fields or None
        wanted["fields"] = list(settings.fields) if settings.fields else None
    return ", ".join(changed_paths(sent, wanted, keyed=_KEYED))


_KEYED = frozenset({"segments"})  # its members are named by segment, not by the format


def _exported_statuses(job: Mapping[str, Any]) -> dict[str, set[str]]:
    """Segment id -> the membership statuses the export job's filter asked for."""
    out: dict[str, set[str]] = {}
    for entry in (job.get("filter") or {}).get("segments") or ():
        if isinstance(entry, Mapping) and "segmentId" in entry:
            out.setdefault(str(entry["segmentId"]), set()).update(
                str(s) for s in entry.get("status") or ())
    return out


"""What ``segctl status`` shows, computed from one read of the live state (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from segctl.aep.documents import creation_time, evaluation_of, export_signature
from segctl.engine import LastSize
from segctl.engine.evaluation import SegmentEvaluation
from segctl.engine.marker import dataset_owner, parse_dataset
from segctl.engine.marker import parse as parse_marker
from segctl.status import seams

#: the version of the ``status --format json`` document
STATUS_FORMAT_VERSION = 1


@dataclass(frozen=True)
class SegmentRow:
    key: str | None  # the marker's key, else the declared key of the same name, else None
    name: str
    id: str
    owner: str  # seams.THIS_PROJECT | ANOTHER_PROJECT | UNMANAGED
    owner_project: str | None  # the project the marker names (None: unmanaged or pre-project)
    evaluation: str  # batch | streaming | edge
    last_evaluated: str | None  # ISO 8601 (UTC) of the newest successful evaluation
    awaiting_evaluation: bool
    size: int | None


@dataclass(frozen=True)
class DatasetRow:
    name: str
    id: str
    export: str | None  # the export key segctl tagged it with
    last_export_job: str | None
    last_export_status: str | None
    last_export_time: str | None
    exported_profiles: int | None


@dataclass(frozen=True)
class Status:
    segments: tuple[SegmentRow, ...]
    datasets: tuple[DatasetRow, ...]
    not_live: tuple[str, ...]  # declared keys with no live segment (segctl plan creates them)


def iso(millis: Any) -> str | None:
    if not isinstance(millis, int | float) or millis <= 0:
        return None
    stamp = datetime.fromtimestamp(millis / 1000, tz=UTC).replace(microsecond=0)
    return stamp.isoformat().replace("+00:00", "Z")


def _segment_row(definition: Mapping[str, Any], declared: Mapping[str, str], project: str,
                 jobs: Sequence[Mapping[str, Any]], sizes: Mapping[str, LastSize],
                 assessed: Mapping[str, SegmentEvaluation]) -> SegmentRow:
    _, mark = parse_marker(definition.get("description"))
    name = str(definition.get("name", ""))
    last = seams.last_evaluation(definition, jobs)
    owner, owner_project = seams.owner_of(definition, project, set(declared.values()))
    return SegmentRow(
        key=mark.key if mark else declared.get(name),
        name=name,
        id=str(definition.get("id")),
        owner=owner,
        owner_project=owner_project,
        evaluation=evaluation_of(definition.get("evaluationInfo")),
        last_evaluated=iso((last or {}).get("updateTime") or (last or {}).get("creationTime")),
        awaiting_evaluation=seams.awaiting_evaluation(definition, assessed),
        size=seams.last_known_size(definition, sizes),
    )


def _dataset_row(dataset: Mapping[str, Any], export_jobs: Sequence[Mapping[str, Any]]
                 ) -> DatasetRow:
    dataset_id = str(dataset.get("id"))
    into = [j for j in export_jobs if export_signature(j)[0] == dataset_id]
    last = into[0] if into else None
    exported = ((last or {}).get("metrics") or {}).get("totalExportedProfileCounter")
    return DatasetRow(
        name=str(dataset.get("name", "")),
        id=dataset_id,
        export=dataset_owner(dataset),
        last_export_job=str(last["id"]) if last and "id" in last else None,
        last_export_status=str(last.get("status")) if last else None,
        last_export_time=iso((last or {}).get("updateTime") or (last or {}).get("creationTime")),
        exported_profiles=int(exported) if isinstance(exported, int | float) else None,
    )


def _dataset_is_ours(dataset: Mapping[str, Any], project: str) -> bool:
    """Tagged for this project (or before projects existed: the next apply re-tags it)."""
    mark = parse_dataset(dataset)
    return mark is not None and (mark.project is None or mark.owned_by(project))


def build_status(definitions: Sequence[Mapping[str, Any]],
                 owned_datasets: Sequence[Mapping[str, Any]],
                 segment_jobs: Sequence[Mapping[str, Any]],
                 export_jobs: Sequence[Mapping[str, Any]],
                 declared: Mapping[str, str],
                 sizes: Mapping[str, LastSize],
                 project: str, history_from_ms: int | None = 0) -> Status:
    """``declared`` maps each declared segment's live name to its key; ``sizes`` is the
    engine's ``last_sizes`` (segment id -> last evaluated size); ``project`` is the name the
    project's markers carry; ``segment_jobs`` reach back to ``history_from_ms`` (0: all of
    them; None: no history, so no segment is shown awaiting evaluation)."""
    seg_jobs = sorted(segment_jobs, key=creation_time, reverse=True)
    exp_jobs = sorted(export_jobs, key=creation_time, reverse=True)
    assessed = seams.evaluations(definitions, seg_jobs, history_from_ms)
    rows = [_segment_row(d, declared, project, seg_jobs, sizes, assessed) for d in definitions]
    order = {seams.THIS_PROJECT: 0, seams.ANOTHER_PROJECT: 1, seams.UNMANAGED: 2}
    rows.sort(key=lambda r: (order[r.owner], r.key or "", r.name))
    live_keys = {r.key for r in rows if r.owner == seams.THIS_PROJECT}
    not_live = tuple(sorted(k for k in declared.values() if k not in live_keys))
    mine = [d for d in owned_datasets if _dataset_is_ours(d, project)]
    datasets = sorted((_dataset_row(d, exp_jobs) for d in mine), key=lambda r: r.name)
    return Status(tuple(rows), tuple(datasets), not_live)

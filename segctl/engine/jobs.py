"""Plan the work after the writes: datasets, segment jobs and export runs (pure).

AEP rations on-demand segment jobs (AEP-API §1.9): at most 20 segment ids per job and two runs
a day per sandbox. So jobs run only for batch segments whose membership can have changed (a
create, a replace, or a change to the expression, schema, merge policy or evaluation type),
plus the segments depending on them and those of exports that run for another reason
(``run: always``, a new dataset, an export that never succeeded).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from segctl.engine.diff import MEMBERSHIP_FIELDS
from segctl.engine.freshness import Freshness
from segctl.engine.marker import parse_dataset
from segctl.engine.model import (
    Action,
    DatasetChange,
    ExportRun,
    PlanWarning,
    SegmentChange,
    SegmentJob,
)
from segctl.engine.normalise import PlanError
from segctl.engine.order import dependents, ordered_keys
from segctl.project import Export

MAX_IDS_PER_JOB = 20
DAILY_JOB_QUOTA = 2


@dataclass(frozen=True)
class JobPlan:
    datasets: tuple[DatasetChange, ...]
    segment_jobs: tuple[SegmentJob, ...]
    export_runs: tuple[ExportRun, ...]
    warnings: tuple[PlanWarning, ...]


def membership_changed(change: SegmentChange) -> bool:
    if change.action in (Action.CREATE, Action.REPLACE):
        return True
    if change.action is Action.UPDATE:
        fields = {f.field for f in change.fields}
        return bool(fields & MEMBERSHIP_FIELDS) or "replaced" in change.reason
    return False


def _dataset_changes(
    exports: Sequence[Export],
    live_datasets: Mapping[str, Mapping[str, Any]],
    owned_datasets: Sequence[Mapping[str, Any]],
    project: str = "",
) -> dict[str, DatasetChange]:
    """Dataset name -> create or no-op for each exported dataset, and delete for the datasets
    this project made for exports no longer declared or re-pointed to another dataset
    (``owned_datasets`` is empty unless pruning). A dataset another project owns is never
    reused: an export naming one is a :class:`PlanError`."""
    datasets: dict[str, DatasetChange] = {}
    for export in exports:
        if export.dataset in datasets:
            continue
        live = live_datasets.get(export.dataset)
        if live is None:
            datasets[export.dataset] = DatasetChange(Action.CREATE, export.dataset, export.key)
            continue
        mark = parse_dataset(live)
        if mark is not None and mark.project is not None and mark.project != project:
            raise PlanError(
                f"export {export.key!r}: the dataset {export.dataset!r} (id {live.get('id')}) "
                f"is owned by project {mark.project!r} (made for its export {mark.key!r}); "
                "segctl never writes into or deletes another project's dataset",
                location=export.field_location("dataset"),
                hint="export into a dataset of another name")
        live_id = str(live.get("id") or "") or None
        if mark is not None and (mark.project is None or mark.key != export.key):
            # ours from before projects, or made for this export under an earlier key:
            # re-stamp the tag (never an unmarked dataset: reusing it does not adopt it)
            why = ("tagged before projects existed" if mark.project is None
                   else f"tagged for export {mark.key!r}")
            datasets[export.dataset] = DatasetChange(
                Action.UPDATE, export.dataset, export.key, id=live_id,
                reason=f"{why}: apply re-stamps its tag for project {project!r}")
            continue
        datasets[export.dataset] = DatasetChange(Action.NOOP, export.dataset, export.key,
                                                 id=live_id)

    declared = {e.key: e.dataset for e in exports}
    for dataset in owned_datasets:
        mark, name = parse_dataset(dataset), str(dataset.get("name", ""))
        if mark is None or mark.project != project or name in datasets:
            continue  # unclaimed, another project's, or still exported into
        if declared.get(mark.key, name) != name or mark.key not in declared:
            datasets[name] = DatasetChange(Action.DELETE, name, mark.key,
                                           id=str(dataset.get("id") or "") or None)
    return datasets


def plan_jobs(
    changes: Sequence[SegmentChange],
    exports: Sequence[Export],
    live_datasets: Mapping[str, Mapping[str, Any]],
    owned_datasets: Sequence[Mapping[str, Any]] = (),
    freshness: Freshness | None = None,
    *,
    project: str = "",
) -> JobPlan:
    """Datasets to create, segment jobs (≤20 ids each, dependency order) and export runs.

    ``live_datasets`` maps a dataset name to its live Catalog object (with ``id``);
    ``freshness`` names segments and datasets whose last evaluation or export is out of date
    although the definitions already match (an earlier apply stopped short of its jobs).
    """
    fresh = freshness or Freshness(frozenset(), {})
    refs = {c.key: c.desired.refs for c in changes if c.desired is not None}
    evaluation = {c.key: c.evaluation for c in changes if c.desired is not None}
    unevaluated = {c.key for c in changes if c.id in fresh.stale_segments}
    changed = dependents(
        (c.key for c in changes if membership_changed(c) or c.key in unevaluated), refs)

    datasets = _dataset_changes(exports, live_datasets, owned_datasets, project)
    runs: list[ExportRun] = []
    evaluate = set(changed)
    for export in exports:
        exported = bool((live_datasets.get(export.dataset) or {}).get("lastSuccessfulBatch"))
        dataset_id = str((live_datasets.get(export.dataset) or {}).get("id") or "")
        reason = _run_reason(export, changed, datasets[export.dataset], exported,
                             fresh.stale_datasets.get(dataset_id))
        if reason is None:
            continue
        if not reason.startswith("segments changed"):
            # not triggered by a change: its segments' memberships may never have been
            # computed (a new export, a failed or skipped earlier run), so evaluate them too
            evaluate |= set(export.segments)
        runs.append(ExportRun(export.key, export.dataset, tuple(export.segments),
                              export.fields, tuple(export.status), reason))

    batch = [k for k in ordered_keys(refs, refs) if k in evaluate and evaluation[k] == "batch"]
    jobs = tuple(
        SegmentJob(tuple(batch[i:i + MAX_IDS_PER_JOB]))
        for i in range(0, len(batch), MAX_IDS_PER_JOB)
    )
    warnings: list[PlanWarning] = []
    if len(jobs) > DAILY_JOB_QUOTA:
        warnings.append(PlanWarning(
            "segment-job-quota",
            f"this plan runs {len(jobs)} on-demand segment jobs; AEP allows {DAILY_JOB_QUOTA} "
            f"per sandbox per day ({MAX_IDS_PER_JOB} segments each), so some may be refused",
        ))
    return JobPlan(tuple(datasets.values()), jobs, tuple(runs), tuple(warnings))


def _run_reason(
    export: Export, changed: set[str], dataset: DatasetChange, exported: bool,
    stale: str | None = None,
) -> str | None:
    """Why an export runs in this plan, or None. ``on-change`` also catches up on an export
    that never succeeded or is out of date (a failed job, ``--no-jobs``), so re-running apply
    converges."""
    if export.run == "never":
        return None
    if export.run == "always":
        return "run: always"
    hit = [k for k in export.segments if k in changed]
    if hit:
        return f"segments changed: {', '.join(hit)}"
    if dataset.action is Action.CREATE:
        return "new dataset"
    if not exported:
        return "no successful export yet"
    return stale

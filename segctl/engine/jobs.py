"""Plan the work after the writes: datasets, segment jobs and export runs (pure).

AEP rations on-demand segment jobs (AEP-API §14, ``flexible-audience-evaluation.md``): at
most 20 segment ids per job, two runs a day per sandbox, 50 or 100 a year. So jobs run only
for batch segments whose membership can have changed (a create, a replace, or a change to the
expression, schema, merge policy or evaluation type), the segments the job history shows
awaiting evaluation (never evaluated, or changed since), and the segments depending on them;
and the segments of ``run: always`` exports (they export fresh members at every apply, so they
spend the ration at every apply: the documented price of ``always``); never for a segment a
running job already evaluates (apply waits for that job), nor because an export merely runs for
another reason (a new dataset, a failed export). What the ration cannot cover today is left to
the scheduled evaluation, and the plan says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from segctl.aep import MAX_SEGMENT_IDS_PER_JOB, RationUsage
from segctl.engine.diff import MEMBERSHIP_FIELDS
from segctl.engine.evaluation import SegmentEvaluation
from segctl.engine.freshness import Freshness
from segctl.engine.marker import parse_dataset
from segctl.engine.model import (
    Action,
    Awaiting,
    DatasetChange,
    ExportRun,
    PlanWarning,
    Ration,
    RunningJob,
    SegmentChange,
    SegmentJob,
)
from segctl.engine.normalise import PlanError
from segctl.engine.order import dependents, ordered_keys
from segctl.project import Export

MAX_IDS_PER_JOB = MAX_SEGMENT_IDS_PER_JOB


@dataclass(frozen=True)
class JobPlan:
    datasets: tuple[DatasetChange, ...]
    segment_jobs: tuple[SegmentJob, ...]
    export_runs: tuple[ExportRun, ...]
    warnings: tuple[PlanWarning, ...]
    running_jobs: tuple[RunningJob, ...] = ()
    awaiting: tuple[Awaiting, ...] = ()
    deferred: tuple[str, ...] = ()
    ration: Ration | None = None


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


@dataclass(frozen=True)
class _LiveWork:
    """Evaluation work the job history shows, for segments this plan does not write."""

    awaiting: dict[str, str]  # key -> why
    running: dict[str, list[str]]  # running job id -> keys it evaluates as they are now

    @property
    def in_flight(self) -> set[str]:
        return {k for keys in self.running.values() for k in keys}


def _live_work(
    changes: Sequence[SegmentChange], written: set[str], fresh: Freshness,
    states: Mapping[str, SegmentEvaluation],
) -> _LiveWork:
    batch = {c.key for c in changes if c.desired is not None and c.evaluation == "batch"}
    unwritten = batch - written
    live = {c.key: states[c.id] for c in changes
            if c.id is not None and c.id in states and c.key in unwritten}
    awaiting = {k: _AWAITING_REASON[st.state] for k, st in live.items() if st.awaiting}
    awaiting.update({c.key: "evaluated with an older expression" for c in changes
                     if c.id in fresh.stale_segments and c.key in unwritten
                     and c.key not in awaiting})
    running: dict[str, list[str]] = {}
    for key, st in live.items():
        if st.state == "running" and st.job is not None:
            running.setdefault(st.job, []).append(key)
    return _LiveWork(awaiting, running)


def plan_jobs(
    changes: Sequence[SegmentChange],
    exports: Sequence[Export],
    live_datasets: Mapping[str, Mapping[str, Any]],
    owned_datasets: Sequence[Mapping[str, Any]] = (),
    freshness: Freshness | None = None,
    evaluations: Mapping[str, SegmentEvaluation] | None = None,
    ration: RationUsage | None = None,
    *,
    project: str = "",
) -> JobPlan:
    """Datasets to create, segment jobs (≤20 ids each, dependency order, within the ration),
    running jobs to wait for, and export runs.

    ``live_datasets`` maps a dataset name to its live Catalog object (with ``id``);
    ``freshness`` names datasets whose last export is out of date; ``evaluations`` (live id ->
    state, from the job history) says which declared segments await evaluation or are in a
    running job; ``ration`` what is left of AEP's on-demand ration (None: no limit known).
    """
    fresh = freshness or Freshness(frozenset(), {})
    refs = {c.key: c.desired.refs for c in changes if c.desired is not None}
    written = {c.key for c in changes if membership_changed(c)}
    work = _live_work(changes, written, fresh, evaluations or {})
    changed = dependents((k for k in (*written, *work.awaiting)), refs)
    datasets = _dataset_changes(exports, live_datasets, owned_datasets, project)
    runs = _export_runs(exports, live_datasets, datasets, changed, written, fresh)

    # `run: always` exports fresh members at every apply: its segments are evaluated each time,
    # which spends the on-demand ration (documented on the Export schema and in the README)
    evaluate = changed | {k for e in exports if e.run == "always" for k in e.segments}
    batch_keys = {c.key for c in changes if c.desired is not None and c.evaluation == "batch"}
    batch = [k for k in ordered_keys(refs, refs)
             if k in evaluate and k in batch_keys and k not in work.in_flight]
    jobs = [SegmentJob(tuple(batch[i:i + MAX_IDS_PER_JOB]))
            for i in range(0, len(batch), MAX_IDS_PER_JOB)]
    started, deferred, warnings = _within_ration(jobs, ration)
    plan_ration = None if ration is None else Ration(
        ration.ration.per_day, ration.per_year, ration.used_today, ration.used_this_year,
        len(started), ration.sandbox_type)
    return JobPlan(
        tuple(datasets.values()), tuple(started), tuple(runs), tuple(warnings),
        running_jobs=tuple(RunningJob(jid, tuple(keys)) for jid, keys in work.running.items()),
        awaiting=tuple(Awaiting(k, why) for k, why in work.awaiting.items()),
        deferred=tuple(deferred), ration=plan_ration,
    )


def _export_runs(
    exports: Sequence[Export], live_datasets: Mapping[str, Mapping[str, Any]],
    datasets: Mapping[str, DatasetChange], changed: set[str], written: set[str],
    fresh: Freshness,
) -> list[ExportRun]:
    runs: list[ExportRun] = []
    for export in exports:
        live = live_datasets.get(export.dataset) or {}
        exported, dataset_id = bool(live.get("lastSuccessfulBatch")), str(live.get("id") or "")
        reason = _run_reason(export, changed, datasets[export.dataset], exported,
                             fresh.stale_datasets.get(dataset_id), written)
        exporting = fresh.running_exports.get(dataset_id)
        if exporting is not None and not set(export.segments) & changed:
            reason = f"export job {exporting} still running"  # waited for, not started again
        else:
            exporting = None
        if reason is not None:
            runs.append(ExportRun(export.key, export.dataset, tuple(export.segments),
                                  export.fields, tuple(export.status), reason, exporting))
    return runs


def _within_ration(
    jobs: list[SegmentJob], ration: RationUsage | None
) -> tuple[list[SegmentJob], list[str], list[PlanWarning]]:
    """The jobs the ration allows today, the keys left to the scheduled run, and a warning."""
    allowed = ration.available if ration is not None else None
    if allowed is None or len(jobs) <= allowed:
        return jobs, [], []
    deferred = [k for job in jobs[allowed:] for k in job.segments]
    warning = PlanWarning(
        "segment-job-ration",
        f"{len(deferred)} segment(s) need {len(jobs) - allowed} more on-demand segment "
        "job(s) than AEP's ration allows now; they are left to the scheduled evaluation (or "
        "to an apply once the ration renews)")
    return jobs[:allowed], deferred, [warning]


_AWAITING_REASON = {"never": "never evaluated", "stale": "changed since its last evaluation"}


def _run_reason(
    export: Export, changed: set[str], dataset: DatasetChange, exported: bool,
    stale: str | None = None, written: frozenset[str] | set[str] = frozenset(),
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
        what = "changed" if set(hit) & written else "awaiting evaluation"
        return f"segments {what}: {', '.join(hit)}"
    if dataset.action is Action.CREATE:
        return "new dataset"
    if not exported:
        return "no successful export yet"
    return stale

"""Start segment jobs and export jobs, and wait for them with a timeout and progress."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from segctl.aep import AepClient, ApiError
from segctl.engine.model import ExportRun, SegmentJob
from segctl.engine.progress import Progress
from segctl.engine.report import ActionResult, Outcome

TERMINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})
MAX_INTERVAL = 5.0
PROFILE_SCHEMA = "_xdm.context.profile"


def run_segment_jobs(
    jobs: Sequence[SegmentJob],
    client: AepClient,
    segment_id: Callable[[str], str],
    timeout: float,
    interval: float,
    progress: Progress,
    *,
    skip: bool,
) -> list[ActionResult]:
    """One job after another (AEP evaluates one on-demand job per sandbox at a time)."""
    results: list[ActionResult] = []
    for number, job in enumerate(jobs, 1):
        label = f"job {number}/{len(jobs)}"
        base = ActionResult("segment-job", "run", label, Outcome.SKIPPED,
                            name=", ".join(job.segments))
        if skip:
            results.append(_skipped(base))
            continue
        started = time.monotonic()
        try:
            created = client.create_segment_jobs([segment_id(k) for k in job.segments])
            job_ids = [str(j["id"]) for j in created]
            finals = [_wait(partial(client.get_segment_job, i), f"segment {label}", timeout,
                            interval, progress, i) for i in job_ids]
        except Exception as err:
            results.append(_failed(base, err))
            skip = True
            progress.step(results[-1])
            continue
        failed = [f for f in finals if f.get("status") != "SUCCEEDED"]
        qualified = _segment_metrics(finals)
        result = _finished(base, ",".join(job_ids), finals[0] if not failed else failed[0],
                           f"{qualified} qualifications" if qualified is not None else "",
                           started, qualified)
        results.append(result)
        progress.step(result)
        skip = skip or result.outcome is not Outcome.OK
    return results


def run_export_jobs(
    runs: Sequence[ExportRun],
    client: AepClient,
    segment_id: Callable[[str], str],
    dataset_id: Callable[[str], str],
    timeout: float,
    interval: float,
    progress: Progress,
    *,
    skip: bool,
) -> list[ActionResult]:
    """Start every export, then wait for all of them."""
    results: dict[str, ActionResult] = {}
    started: dict[str, int] = {}
    began: dict[str, float] = {}
    bases = {r.export: ActionResult("export", "run", r.export, Outcome.SKIPPED, name=r.dataset)
             for r in runs}
    for run in runs:
        base = bases[run.export]
        if skip:
            results[run.export] = _skipped(base)
            continue
        began[run.export] = time.monotonic()
        try:
            created = client.create_export_job(export_body(run, segment_id, dataset_id))
            started[run.export] = int(created["id"])
        except Exception as err:
            results[run.export] = _failed(base, err)
            progress.step(results[run.export])
            skip = True
    for key, job_id in started.items():
        base = bases[key]
        try:
            final = _wait(partial(client.get_export_job, job_id), f"export {key}", timeout,
                          interval, progress, job_id)
        except Exception as err:
            results[key] = _failed(base, err, str(job_id))
        else:
            exported = (final.get("metrics") or {}).get("totalExportedProfileCounter")
            size = int(exported) if isinstance(exported, int | float | str) \
                and str(exported).isdigit() else None
            detail = f"{exported} profiles exported" if exported is not None else ""
            results[key] = _finished(base, str(job_id), final, detail, began[key], size)
        progress.step(results[key])
    return [results[r.export] for r in runs]


def export_body(
    run: ExportRun, segment_id: Callable[[str], str], dataset_id: Callable[[str], str]
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "filter": {"segments": [
            {"segmentId": segment_id(k), "segmentNs": "ups", "status": list(run.status)}
            for k in run.segments
        ]},
        "destination": {"datasetId": dataset_id(run.dataset), "segmentPerBatch": False},
        "schema": {"name": PROFILE_SCHEMA},
    }
    if run.fields is not None:
        body["fields"] = ",".join(run.fields)
    return body


class JobTimeout(Exception):
    pass


def _wait(
    fetch: Callable[[], Mapping[str, Any]],
    label: str,
    timeout: float,
    interval: float,
    progress: Progress,
    job_id: object = None,
) -> Mapping[str, Any]:
    started = time.monotonic()
    delay = interval
    job: Mapping[str, Any] = {}
    while True:
        try:
            job, unreadable = fetch(), None
        except ApiError as err:
            if not err.retryable:
                raise
            # The job runs on whatever its status endpoint says, and runs are rationed: a read
            # that failed even after the client's retries is no reason to give the job up.
            unreadable = err
        status = "status unknown" if unreadable else str(job.get("status", "?"))
        elapsed = time.monotonic() - started
        progress.status(f"{label}: {status} ({elapsed:.0f}s)")
        if unreadable is None and status in TERMINAL:
            progress.clear()
            return job
        if elapsed + delay > timeout:
            progress.clear()
            job_id = job.get("id", job_id)
            state = (f"the status of job {job_id} could not be read ({unreadable.message})"
                     if unreadable else f"job {job_id} is still {status}")
            raise JobTimeout(f"timed out after {timeout:g}s; {state} (it keeps running in AEP)")
        time.sleep(delay)
        delay = min(delay * 1.5, MAX_INTERVAL)


def _segment_metrics(finals: Sequence[Mapping[str, Any]]) -> int | None:
    """The qualifications the finished jobs counted, over all their segments (None: no
    metrics)."""
    counts: dict[str, Any] = {}
    for job in finals:
        counts.update((job.get("metrics") or {}).get("segmentedProfileCounter") or {})
    if not counts:
        return None
    return sum(int(v) for v in counts.values())


def _finished(base: ActionResult, job_id: str, final: Mapping[str, Any],
              detail: str, started: float, size: int | None) -> ActionResult:
    status = str(final.get("status"))
    outcome = Outcome.OK if status == "SUCCEEDED" else Outcome.FAILED
    errors = final.get("errors") or []
    why = "; ".join(str(e.get("msg") or e.get("code")) for e in errors if isinstance(e, Mapping))
    text = ", ".join(filter(None, [status, detail if outcome is Outcome.OK else why]))
    return ActionResult(base.kind, base.action, base.key, outcome, name=base.name, id=job_id,
                        detail=text, seconds=round(time.monotonic() - started, 3),
                        size=size if outcome is Outcome.OK else None)


def _failed(base: ActionResult, err: Exception, job_id: str | None = None) -> ActionResult:
    message = getattr(err, "message", None) or str(err) or type(err).__name__
    return ActionResult(base.kind, base.action, base.key, Outcome.FAILED, name=base.name,
                        id=job_id, detail=str(message))


def _skipped(base: ActionResult) -> ActionResult:
    return ActionResult(base.kind, base.action, base.key, Outcome.SKIPPED, name=base.name,
                        detail="not started: an earlier action failed")

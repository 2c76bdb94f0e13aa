"""Start segment jobs and export jobs, and wait for them with a timeout and progress."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from segctl.aep import AepClient, ApiError, BadRequestError, RateLimitedError
from segctl.engine.evaluation import on_demand_ineligibility
from segctl.engine.model import ExportRun, RunningJob, SegmentJob
from segctl.engine.progress import Progress
from segctl.engine.report import ActionResult, Outcome

TERMINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})
MAX_INTERVAL = 5.0
PROFILE_SCHEMA = "_xdm.context.profile"
GATEWAY_THROTTLE = "429050"  # the gateway's "Too many requests" (AEP-API §4.2), not the ration


def run_segment_jobs(
    jobs: Sequence[SegmentJob],
    client: AepClient,
    segment_id: Callable[[str], str],
    timeout: float,
    interval: float,
    progress: Progress,
    *,
    skip: bool,
    notes: list[str] | None = None,
) -> list[ActionResult]:
    """One job after another (AEP evaluates one on-demand job per sandbox at a time). A refusal
    for the ration (429 on the create) leaves this job and the next to the scheduled run. A
    refusal because some of a job's segments are not eligible for on-demand evaluation (their
    live definition changed since the plan) starts the job without them, and ``notes`` says
    which were left to AEP's own evaluation."""
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
            created = _create_eligible(client, job.segments, segment_id, notes)
            if not created:  # nothing eligible: no job, nothing failed
                results.append(ActionResult(
                    base.kind, base.action, base.key, Outcome.OK, name=base.name,
                    detail="not started: no segment eligible for on-demand evaluation"))
                progress.step(results[-1])
                continue
        except RateLimitedError as err:
            if err.code != GATEWAY_THROTTLE:  # the ration is spent (another apply, the UI)
                left = _left_to_schedule(jobs, number, err, progress)
                if notes is not None:
                    notes.append(f"{sum(len(j.segments) for j in jobs[number - 1:])} segment(s) "
                                 "left to the scheduled evaluation: AEP refused the on-demand "
                                 f"job for its ration ({err.message}); the next plan shows them "
                                 "awaiting evaluation")
                return results + left
            results.append(_failed(base, err))  # throttled past the retry budget: a failure
            skip = True
            progress.step(results[-1])
            continue
        except Exception as err:
            results.append(_failed(base, err))
            skip = True
            progress.step(results[-1])
            continue
        try:
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


def _create_eligible(
    client: AepClient, keys: Sequence[str], segment_id: Callable[[str], str],
    notes: list[str] | None,
) -> list[dict[str, Any]]:
    """Create the job for ``keys``. When AEP refuses it (400) and some of them are not eligible
    for on-demand evaluation (``flexible-audience-evaluation.md``, Guardrails: batch-evaluated
    people audiences only), note them and create the job again without them (a refused request
    spends no run of the ration). Returns the jobs created (none when no segment is eligible);
    a 400 that no ineligible segment explains is raised as it came."""
    ids = {key: segment_id(key) for key in keys}
    try:
        return client.create_segment_jobs(list(ids.values()))
    except BadRequestError:
        live = client.bulk_get_segment_definitions(list(ids.values()))
        left = {key: why for key, sid in ids.items()
                if (why := on_demand_ineligibility(live.get(sid))) is not None}
        if not left:
            raise
    if notes is not None:
        notes.append(_left_note(left))
    rest = [sid for key, sid in ids.items() if key not in left]
    return client.create_segment_jobs(rest) if rest else []


def _left_note(left: Mapping[str, str]) -> str:
    whys = "; ".join(f"{key}: {why}" for key, why in left.items())
    return (f"{len(left)} segment(s) left to AEP's streaming or scheduled evaluation: not "
            f"eligible for an on-demand segment job ({whys}); the live definition differs from "
            "the plan, so the next plan shows the difference")


def _left_to_schedule(jobs: Sequence[SegmentJob], number: int, err: ApiError,
                      progress: Progress) -> list[ActionResult]:
    """AEP refused job ``number`` for its ration: it and the jobs after it are left to the
    scheduled run, as the plan would have said had it known. Not a failure (issue 15: a spent
    ration never fails an apply); exports still run, as when the plan defers segments."""
    results = []
    for later, rest in enumerate(jobs[number - 1:], number):
        results.append(ActionResult(
            "segment-job", "run", f"job {later}/{len(jobs)}", Outcome.OK,
            name=", ".join(rest.segments),
            detail=f"not started: left to the scheduled run: AEP refused the job "
                   f"({err.message})"))
        progress.step(results[-1])
    return results


def wait_running_jobs(
    running: Sequence[RunningJob],
    client: AepClient,
    timeout: float,
    interval: float,
    progress: Progress,
) -> list[ActionResult]:
    """Attach to segment jobs already running for current definitions and wait for them, so
    their segments never go into a second job (after ``apply --timeout``, a killed apply, or
    another apply's jobs)."""
    results: list[ActionResult] = []
    for job in running:
        base = ActionResult("segment-job", "wait", job.id, Outcome.SKIPPED,
                            name=", ".join(job.segments))
        started = time.monotonic()
        try:
            final = _wait(partial(client.get_segment_job, job.id), f"segment job {job.id}",
                          timeout, interval, progress, job.id)
        except Exception as err:
            result = _failed(base, err, job.id)
        else:
            qualified = _segment_metrics([final])
            result = _finished(base, job.id, final,
                               f"{qualified} qualifications" if qualified is not None else "",
                               started, qualified)
        results.append(result)
        progress.step(result)
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
        if run.job is not None:  # already running (a killed apply, --timeout): wait for it
            started[run.export] = run.job
            continue
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

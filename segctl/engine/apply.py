"""Apply a plan: the only code in segctl that writes to a sandbox.

Stages, in order: segment definitions and datasets (a dependency graph on a bounded thread pool:
referenced segments first, dependents deleted first), then segment jobs (one at a time: AEP
does not run two evaluations of a sandbox at once), then export jobs. A failure stops new work,
lets in-flight calls finish, and the report says exactly what succeeded, failed or never
started. Applying again converges: the diff sees what was written, by its ownership marker.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from segctl.aep import AepClient
from segctl.engine import marker
from segctl.engine.executor import Task, run_tasks
from segctl.engine.model import Action, DatasetChange, Plan, ScheduleChange, SegmentChange
from segctl.engine.progress import NullProgress, Progress
from segctl.engine.report import ActionResult, ApplyReport, Outcome
from segctl.engine.schedules import references, resolve_properties
from segctl.engine.waiting import run_export_jobs, run_segment_jobs, wait_running_jobs
from segctl.engine.writes import (
    Write,
    audience_write,
    dataset_body,
    resolve_refs,
    schedule_write,
    segment_write,
    writes_definition,
)
from segctl.errors import SegctlError


@dataclass(frozen=True)
class ApplyOptions:
    concurrency: int = 4
    run_jobs: bool = True
    timeout: float = 1800.0  # seconds, for each wait on a segment or export job
    poll_interval: float = 0.25
    # called once, just before the first write; raises to stop apply with nothing written
    # (the CLI re-reads a remote sandbox's fingerprint here)
    before_first_write: Callable[[], None] | None = None


class _Ids:
    """Declared key -> live id, filled in as creates land (shared by the worker threads)."""

    def __init__(self, known: Mapping[str, str]) -> None:
        self._ids = dict(known)
        self._lock = threading.Lock()

    def set(self, key: str, value: str) -> None:
        with self._lock:
            self._ids[key] = value

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._ids.get(key)

    def require(self, key: str) -> str:
        found = self.get(key)
        if found is None:
            raise SegctlError(f"segment {key!r} has no live id (it was not created)")
        return found


def apply_plan(
    plan: Plan,
    client: AepClient,
    options: ApplyOptions | None = None,
    progress: Progress | None = None,
) -> ApplyReport:
    opts = options or ApplyOptions()
    prog = progress or NullProgress()
    ids = _Ids({c.key: c.id for c in plan.changes if c.id and c.action is not Action.DELETE})
    datasets = _Ids({d.name: d.id for d in plan.datasets if d.id})

    if opts.before_first_write is not None and plan.has_work:
        opts.before_first_write()
    tasks = [t for change in plan.actionable
             for t in _segment_tasks(change, segment_write(change), plan, client, ids)]
    tasks += [_dataset_task(d, plan.project, client, datasets) for d in plan.datasets
              if d.action is Action.CREATE]
    tasks += [_dataset_retag(d, plan.project, client) for d in plan.datasets
              if d.action is Action.UPDATE]
    tasks += [_dataset_delete(d, client) for d in plan.datasets if d.action is Action.DELETE]
    tasks += [_schedule_task(s, client, ids, datasets) for s in plan.schedules_to_write]
    done = run_tasks(tasks, opts.concurrency, prog.step)
    results = [done[t.name] for t in tasks]
    notes: list[str] = []
    if plan.deferred:
        notes.append(f"{len(plan.deferred)} segment(s) left to the scheduled evaluation: the "
                     f"on-demand ration is spent ({', '.join(plan.deferred[:5])}"
                     f"{', ...' if len(plan.deferred) > 5 else ''})")
    if not (plan.segment_jobs or plan.export_runs or plan.running_jobs):
        return ApplyReport(tuple(results), tuple(notes))
    if not opts.run_jobs:
        notes.append(f"--no-jobs: {len(plan.segment_jobs)} segment job(s) and "
                     f"{len(plan.export_runs)} export(s) were not run")
        return ApplyReport(tuple(results), tuple(notes))
    failed = any(r.outcome is not Outcome.OK for r in results)
    # jobs already running for these definitions first: a segment is never in two jobs, and
    # AEP runs one evaluation of a sandbox at a time
    job_results = wait_running_jobs(plan.running_jobs, client, opts.timeout,
                                    opts.poll_interval, prog)
    job_results += run_segment_jobs(plan.segment_jobs, client, ids.require, opts.timeout,
                                    opts.poll_interval, prog, skip=failed, notes=notes)
    failed = failed or any(r.outcome is not Outcome.OK for r in job_results)
    export_results = run_export_jobs(plan.export_runs, client, ids.require, datasets.require,
                                     opts.timeout, opts.poll_interval, prog, skip=failed)
    return ApplyReport(tuple(results + job_results + export_results), tuple(notes))


def _segment_tasks(
    change: SegmentChange, write: Write, plan: Plan, client: AepClient, ids: _Ids
) -> list[Task]:
    base = ActionResult("segment", change.action.value, change.key, Outcome.SKIPPED,
                        name=change.name, id=change.id)
    deps = tuple(change.depends_on)
    if change.action is Action.DELETE:
        return [Task(change.key, deps, _delete(change, client, base), base)]
    assert change.desired is not None
    want = change.desired

    def body() -> dict[str, Any]:
        assert write.body is not None
        return resolve_refs(write.body, ids.require)

    audience_fields = audience_write(change)

    def audience(live_id: str) -> None:
        """Labels, TTL and lifecycle go to the audience (the same object's other face)."""
        if audience_fields is not None and audience_fields.body:
            client.patch_audience(live_id, audience_fields.body)

    if change.action is Action.CREATE:
        def create() -> ActionResult:
            created = client.create_segment_definition(body())
            ids.set(change.key, str(created["id"]))
            audience(str(created["id"]))
            return _ok(base, str(created["id"]), "created")
        return [Task(change.key, deps, create, base)]

    old_id = change.id
    assert old_id is not None
    if change.action is Action.UPDATE:
        def update() -> ActionResult:
            if writes_definition(change):  # not when only the audience's fields changed
                client.update_segment_definition(old_id, body())
            audience(old_id)
            return _ok(base, old_id, "updated" + (" (adopted)" if change.adopted else ""))
        return [Task(change.key, deps, update, base)]

    # replace: park the old definition under another name, create the new one, and delete the
    # old one once every segment referencing it has moved to the new id
    def recreate() -> ActionResult:
        # PATCH overwrites the definition, so the parked copy is the whole live object with only
        # its name and description changed (one GET: replaces are rare)
        parked = client.get_segment_definition(old_id)
        parked["name"] = f"{want.name} [replaced by segctl {old_id[:8]}]"
        parked["description"] = marker.stamp(want.description, f"{want.key}.replaced",
                                             project=want.project)
        client.update_segment_definition(old_id, parked)
        created = client.create_segment_definition(body())
        ids.set(change.key, str(created["id"]))
        audience(str(created["id"]))
        return _ok(base, str(created["id"]), f"created (replaces {old_id})")

    users = tuple(c.key for c in plan.changes
                  if c.desired is not None and change.key in c.desired.refs and c.key != change.key)
    retire_base = ActionResult("segment", "delete", change.key, Outcome.SKIPPED,
                               name=change.name, id=old_id)

    def retire() -> ActionResult:
        client.delete_segment_definition(old_id)
        return _ok(retire_base, old_id, "old definition deleted")

    return [Task(change.key, deps, recreate, base),
            Task(f"{change.key}#retire", (change.key, *users), retire, retire_base)]


def _delete(
    change: SegmentChange, client: AepClient, base: ActionResult
) -> Callable[[], ActionResult]:
    def delete() -> ActionResult:
        assert change.id is not None
        client.delete_segment_definition(change.id)
        return _ok(base, change.id, "deleted")
    return delete


def _dataset_task(dataset: DatasetChange, project: str, client: AepClient,
                  datasets: _Ids) -> Task:
    base = ActionResult("dataset", "create", dataset.name, Outcome.SKIPPED, name=dataset.name)

    def create() -> ActionResult:
        new_id = client.create_dataset(dataset_body(dataset, project))
        datasets.set(dataset.name, new_id)
        return _ok(base, new_id, "created")

    return Task(f"dataset:{dataset.name}", (), create, base)


def _dataset_retag(dataset: DatasetChange, project: str, client: AepClient) -> Task:
    base = ActionResult("dataset", "update", dataset.name, Outcome.SKIPPED, name=dataset.name,
                        id=dataset.id)

    def retag() -> ActionResult:
        assert dataset.id is not None
        tags = marker.dataset_tags(dataset.export, project=project)
        client.set_dataset_tag(dataset.id, marker.DATASET_TAG, tags[marker.DATASET_TAG])
        return _ok(base, dataset.id, "ownership tag re-stamped")

    return Task(f"dataset-retag:{dataset.name}", (), retag, base)


def _dataset_delete(dataset: DatasetChange, client: AepClient) -> Task:
    base = ActionResult("dataset", "delete", dataset.name, Outcome.SKIPPED, name=dataset.name,
                        id=dataset.id)

    def delete() -> ActionResult:
        assert dataset.id is not None
        client.delete_dataset(dataset.id)
        return _ok(base, dataset.id, "deleted")

    return Task(f"dataset-delete:{dataset.name}", (), delete, base)


def _schedule_task(change: ScheduleChange, client: AepClient, ids: _Ids,
                   datasets: _Ids) -> Task:
    """POST a missing schedule, PATCH a live one, or replace one (DELETE, then POST): the body
    is the recorded write's (``writes.schedule_write``); an export schedule's segment and
    dataset ids are filled in once the tasks that create them are done."""
    write = schedule_write(change)
    base = ActionResult("schedule", write.verb, change.key, Outcome.SKIPPED, name=change.name,
                        id=change.id)
    keys, names = references(change)

    def body() -> dict[str, Any]:
        sent = dict(write.body or {})
        if change.type == "export" and isinstance(sent.get("properties"), dict):
            sent["properties"] = resolve_properties(sent["properties"], ids.require,
                                                    datasets.require)
        return sent

    def run() -> ActionResult:
        if write.verb == "update":
            assert change.id is not None
            patch = dict(write.body or {})
            client.patch_schedule(change.id, patch)
            return _ok(base, change.id, ", ".join(f"{k} = {v}" for k, v in patch.items()))
        sent = body()
        if write.verb == "replace":
            assert change.id is not None
            client.delete_schedule(change.id)
        created = client.create_schedule(sent)
        detail = f"created ({change.schedule}, {change.state})"
        if write.verb == "replace":
            detail = f"{detail}, replacing {change.id}"
        return _ok(base, str(created.get("id") or "") or None, detail)

    name = f"schedule:{change.type}" if change.type != "export" else f"schedule:{change.key}"
    return Task(name, (*keys, *(f"dataset:{n}" for n in names)), run, base)


def _ok(base: ActionResult, live_id: str | None, detail: str) -> ActionResult:
    return ActionResult(base.kind, base.action, base.key, Outcome.OK, name=base.name,
                        id=live_id, detail=detail)

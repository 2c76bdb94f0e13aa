"""Segment jobs' state and behaviour: the executor the worker runs (evaluate the requested
segments and their inSegment dependencies, store memberships, write the job's metrics) and
``JobStep``, the cancellation-safe read-modify-write every job kind shares (AEP-API §6)."""

from __future__ import annotations

import time
import traceback
from typing import TYPE_CHECKING, Any

from segctl import pql
from segctl.sandbox.core import pqlbridge
from segctl.sandbox.core.host import Host
from segctl.sandbox.core.runner import FINAL_KEY, OWNER_KEY, READY_KEY
from segctl.sandbox.core.store import Partition
from segctl.sandbox.core.values import PROFILE_SCHEMA, batch_id, new_uuid, sandbox_object
from segctl.sandbox.definitions.models import KIND as DEFINITION_KIND

if TYPE_CHECKING:
    from segctl.sandbox.profilestore import evaluate

KIND = "segjob"


def touch(app: Host, doc: dict[str, Any]) -> None:
    now = app.now_ms()
    doc["updateTime"], doc["updateEpoch"] = now, now // 1000


def segment_entry(doc: dict[str, Any]) -> dict[str, Any]:
    """A job's ``segments[]`` entry for a stored definition."""
    return {"segmentId": doc["id"],
            "segment": {"id": doc["id"], "expression": doc["expression"],
                        "mergePolicyId": doc["mergePolicyId"],
                        "mergePolicy": {"id": doc["mergePolicyId"], "version": 1}}}


def new_job(app: Host, scope: Partition, entries: list[dict[str, Any]], *, source: str,
            properties: dict[str, Any] | None = None, request_id: str | None = None
            ) -> dict[str, Any]:
    """Store a NEW segment job and queue it. ``source`` is ``api`` for a POST and
    ``scheduler`` for a schedule's run, whose ``properties`` name ``scheduleId`` and ``runId``
    (help/segmentation/api/segment-jobs.md)."""
    now = app.now_ms()
    jid = new_uuid()
    job = {"id": jid, "imsOrgId": scope.org, "sandbox": sandbox_object(scope),
           "profileInstanceId": "ups", "source": source, "status": "NEW",
           "batchId": batch_id(), "computeJobId": app.store.next_value("computeJobId", 1000),
           "computeGatewayJobId": new_uuid(), "segments": entries,
           "metrics": {"totalTime": {"startTimeInMs": now}, "profileSegmentationTime": {}},
           "requestId": request_id or new_uuid(),
           "schema": {"name": PROFILE_SCHEMA}, "modelName": PROFILE_SCHEMA,
           "properties": dict(properties or {}), "errors": [],
           "_links": {"cancel": {"href": f"/segment/jobs/{jid}", "method": "DELETE"},
                      "checkStatus": {"href": f"/segment/jobs/{jid}", "method": "GET"}},
           "creationTime": now, "updateTime": now, "updateEpoch": now // 1000,
           OWNER_KEY: app.runner.owner}
    app.store.put(KIND, scope, jid, job, created=now)
    app.runner.submit(KIND, scope, jid)
    return job


class Cancelled(Exception):
    pass


class Interrupted(Exception):
    """The sandbox is closing: the job stops unfinished and the next sandbox resumes it."""


class JobStep:
    """Read-modify-write of a job document in one transaction, refusing to overwrite a
    cancellation the API recorded meanwhile."""

    def __init__(self, app: Host, kind: str, scope: Partition, rid: str):
        self.app, self.kind, self.scope, self.rid = app, kind, scope, rid

    def update(self, **changes: Any) -> dict[str, Any]:
        with self.app.store.write():
            doc = self.app.store.get(self.kind, self.scope, self.rid)
            cancelled = doc is None or doc["status"] in ("CANCELLING", "CANCELLED")
            if doc is not None:
                if cancelled:
                    doc["status"] = "CANCELLED"
                elif self._hold_back(doc, changes):
                    pass
                else:
                    for key, value in changes.items():
                        if key == "metrics":
                            doc.setdefault("metrics", {}).update(value)
                        else:
                            doc[key] = value
                touch(self.app, doc)
                self.app.store.put(self.kind, self.scope, self.rid, doc)
        if cancelled or doc is None:  # raised after the commit: an exception would roll back
            raise Cancelled()
        return doc

    def holds_back(self, doc: dict[str, Any]) -> bool:
        """Whether an end reached now would be held back (realistic timing)."""
        duration = self.app.fault_config.job_duration_ms(len(self.app.profile_data()))
        return duration > 0 and self.app.now_ms() < int(doc.get("creationTime", 0)) + duration

    def _hold_back(self, doc: dict[str, Any], changes: dict[str, Any]) -> bool:
        """Realistic timing (``job_ms``/``job_ms_per_1k``): a job's end (SUCCEEDED or FAILED
        with its metrics) is kept in the document, unseen, until its duration of sandbox
        time has passed since it was created; the API applies it when read after that
        (``core.runner.settle``)."""
        if changes.get("status") not in ("SUCCEEDED", "FAILED") or FINAL_KEY in doc:
            return False
        duration = self.app.fault_config.job_duration_ms(len(self.app.profile_data()))
        ready = int(doc.get("creationTime", 0)) + duration
        if duration <= 0 or self.app.now_ms() >= ready:
            return False
        doc[FINAL_KEY] = changes
        doc[READY_KEY] = ready
        return True

    def check(self) -> None:
        if self.app.runner.closing:
            raise Interrupted()
        self.update()


def failure(code: str, msg: str, call_stack: str = "") -> list[dict[str, str]]:
    return [{"code": code, "msg": msg, "callStack": call_stack}]


def run_segmentation(app: Host, scope: Partition, requested: list[str] | None,
                     check: Any = None) -> dict[str, evaluate.SegmentResult]:
    """Evaluate ``requested`` (None = every definition) plus their inSegment dependencies, in
    dependency order, and store the memberships. Returns the result per evaluated segment."""
    from segctl.sandbox.profilestore import evaluate  # the evaluator loads with the first job
    docs = {d["id"]: d for d in app.store.all(DEFINITION_KIND, scope)}
    exprs = {sid: pqlbridge.parse_expression(d["expression"]) for sid, d in docs.items()}
    refs = {sid: pqlbridge.segment_refs(e) for sid, e in exprs.items()}
    wanted = evaluate.closure(requested if requested is not None else list(docs), refs)
    order = evaluate.topological_order([s for s in docs if s in wanted], refs)
    data = app.profile_data()
    now = app.now()
    now_ms = int(now.timestamp() * 1000)
    predicates = [(sid, pql.compile(exprs[sid])) for sid in order]
    if check is not None:
        check()
    results = evaluate.evaluate_segments(
        data, predicates, lambda sid: app.store.memberships(scope, sid), now, now_ms,
        lambda sid: app.store.memberships(scope, sid), check)
    if check is not None:
        check()
    app.store.put_memberships(scope, {sid: r.memberships for sid, r in results.items()})
    return results


def by_namespace(results: dict[str, evaluate.SegmentResult]) -> dict[str, dict[str, int]]:
    """``segmentedProfileByNamespaceCounter`` (segmentation.yaml SegmentJob example): per
    segment, how many of its members (realized or existing) carry an identity of each
    namespace (counted while the segment was evaluated)."""
    return {sid: dict(result.namespaces) for sid, result in results.items()}


def execute(app: Host, scope: Partition, jid: str) -> None:
    from segctl.sandbox.profilestore import evaluate
    step = JobStep(app, KIND, scope, jid)
    try:
        step.update(status="QUEUED")
        job = step.update(status="PROCESSING")
        started = app.now_ms()
        if app.faults.job_should_fail():
            step.update(status="FAILED", errors=failure(
                "0100000003", "Segment job failed (injected fault)"))
            return
        requested = None if job["segments"][0]["segmentId"] == "*" else \
            [s["segmentId"] for s in job["segments"]]
        try:
            clock = time.perf_counter()
            results = run_segmentation(app, scope, requested, step.check)
        except evaluate.DependencyCycle as err:
            step.update(status="FAILED", errors=failure(
                "0100000010", f"inSegment dependency cycle: {err}"))
            return
        except (Cancelled, Interrupted):
            raise
        except Exception as err:
            step.update(status="FAILED", errors=failure(
                "0100000003", f"Error in segment job: {err}", traceback.format_exc(limit=3)))
            return
        end = app.now_ms()
        seg_ms = int((time.perf_counter() - clock) * 1000)
        total = len(app.profile_data())
        mp = {d["segment"]["mergePolicyId"] for d in job["segments"] if "segment" in d}
        step.update(status="SUCCEEDED", metrics={
            "totalTime": {"startTimeInMs": job["creationTime"], "endTimeInMs": end,
                          "totalTimeInMs": end - job["creationTime"]},
            "profileSegmentationTime": {"startTimeInMs": started, "endTimeInMs": started + seg_ms,
                                        "totalTimeInMs": seg_ms},
            "totalProfiles": total,
            "segmentedProfileCounter": {sid: r.members for sid, r in results.items()},
            "segmentedProfileByNamespaceCounter": by_namespace(results),
            "segmentedProfileByStatusCounter": {sid: dict(r.counts) for sid, r in results.items()},
            "totalProfilesByMergePolicy": {m: total for m in sorted(mp)},
        })
    except Cancelled:
        return

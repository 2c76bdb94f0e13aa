"""Segment jobs' state and behaviour: the executor the worker runs (evaluate the requested
segments and their inSegment dependencies, store memberships, write the job's metrics) and
``JobStep``, the cancellation-safe read-modify-write every job kind shares (AEP-API §6)."""

from __future__ import annotations

import time
import traceback
from typing import Any

from segctl import pql
from segctl.sandbox.core import pqlbridge
from segctl.sandbox.core.host import Host
from segctl.sandbox.core.store import Scope
from segctl.sandbox.definitions.models import KIND as DEFINITION_KIND
from segctl.sandbox.profilestore import evaluate

KIND = "segjob"


def touch(app: Host, doc: dict[str, Any]) -> None:
    now = app.now_ms()
    doc["updateTime"], doc["updateEpoch"] = now, now // 1000


class Cancelled(Exception):
    pass


class Interrupted(Exception):
    """The sandbox is closing: the job stops unfinished and the next sandbox resumes it."""


class JobStep:
    """Read-modify-write of a job document in one transaction, refusing to overwrite a
    cancellation the API recorded meanwhile."""

    def __init__(self, app: Host, kind: str, scope: Scope, rid: str):
        self.app, self.kind, self.scope, self.rid = app, kind, scope, rid

    def update(self, **changes: Any) -> dict[str, Any]:
        with self.app.store.write():
            doc = self.app.store.get(self.kind, self.scope, self.rid)
            cancelled = doc is None or doc["status"] in ("CANCELLING", "CANCELLED")
            if doc is not None:
                if cancelled:
                    doc["status"] = "CANCELLED"
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

    def check(self) -> None:
        if self.app.runner.closing:
            raise Interrupted()
        self.update()


def failure(code: str, msg: str, call_stack: str = "") -> list[dict[str, str]]:
    return [{"code": code, "msg": msg, "callStack": call_stack}]


def run_segmentation(app: Host, scope: Scope, requested: list[str] | None,
                     check: Any = None) -> dict[str, evaluate.SegmentResult]:
    """Evaluate ``requested`` (None = every definition) plus their inSegment dependencies, in
    dependency order, and store the memberships. Returns the result per evaluated segment."""
    docs = {d["id"]: d for d in app.store.all(DEFINITION_KIND, scope)}
    exprs = {sid: pqlbridge.parse_expression(d["expression"]) for sid, d in docs.items()}
    refs = {sid: pqlbridge.segment_refs(e) for sid, e in exprs.items()}
    wanted = evaluate.closure(requested if requested is not None else list(docs), refs)
    order = evaluate.topological_order([s for s in docs if s in wanted], refs)
    data = app.profile_data()
    now = app.now()
    now_ms = int(now.timestamp() * 1000)
    results: dict[str, evaluate.SegmentResult] = {}
    current: dict[str, evaluate.Memberships] = {}
    lookup = evaluate.membership_lookup(current, lambda sid: app.store.memberships(scope, sid))
    for sid in order:
        if check is not None:
            check()
        predicate = pql.compile(exprs[sid])
        result = evaluate.evaluate_segment(data, predicate, app.store.memberships(scope, sid),
                                           now, now_ms, lookup)
        results[sid] = result
        current[sid] = result.memberships
    if check is not None:
        check()
    app.store.put_memberships(scope, {sid: r.memberships for sid, r in results.items()})
    return results


def execute(app: Host, scope: Scope, jid: str) -> None:
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
            "segmentedProfileByNamespaceCounter": {},
            "segmentedProfileByStatusCounter": {sid: dict(r.counts) for sid, r in results.items()},
            "totalProfilesByMergePolicy": {m: total for m in sorted(mp)},
        })
    except Cancelled:
        return

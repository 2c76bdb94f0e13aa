"""Segment jobs (AEP-API §6): the HTTP handlers and the executor the worker runs."""

from __future__ import annotations

import time
import traceback
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx

from segctl import pql
from segctl.aep import ration
from segctl.sandbox import definitions, evaluate, pqlbridge
from segctl.sandbox.common import PROFILE_SCHEMA, UPS_BASE, batch_id, new_uuid, sandbox_object
from segctl.sandbox.runner import OWNER_KEY, TERMINAL
from segctl.sandbox.store import Scope
from segctl.sandbox.web import (
    Ctx,
    Route,
    bad_request,
    bulk_missing,
    children_page,
    json_response,
    problem,
    with_status,
)

if TYPE_CHECKING:
    from segctl.sandbox.app import LocalSandbox

KIND = "segjob"
MAX_IDS = 20


def public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("__")}


def _requested_ids(body: Any) -> tuple[list[str], bool]:
    """The ids of the array form or of the ``{"schema", "segments": [{"segmentId": "*"}]}``
    form; the flag says whether all segments were asked for."""
    if isinstance(body, dict):
        if (body.get("schema") or {}).get("name", PROFILE_SCHEMA) != PROFILE_SCHEMA:
            raise bad_request(f"schema.name must be {PROFILE_SCHEMA}.")
        items = body.get("segments")
    else:
        items = body
    if not isinstance(items, list) or not items:
        raise bad_request('Body must be [{"segmentId": "..."}] with at least one segment.')
    ids = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("segmentId"), str):
            raise bad_request('Each entry must be {"segmentId": "..."}.')
        ids.append(item["segmentId"])
    if "*" in ids:
        if len(ids) > 1:
            raise bad_request('"*" cannot be combined with other segment ids.')
        return [], True
    if len(ids) > MAX_IDS:
        raise bad_request(f"A segment job takes at most {MAX_IDS} segment ids; got {len(ids)}.",
                          code="UPAPI-113471-400")
    return list(dict.fromkeys(ids)), False


def _segment_entry(app: LocalSandbox, scope: Scope, doc: dict[str, Any]) -> dict[str, Any]:
    return {"segmentId": doc["id"],
            "segment": {"id": doc["id"], "expression": doc["expression"],
                        "mergePolicyId": doc["mergePolicyId"],
                        "mergePolicy": {"id": doc["mergePolicyId"], "version": 1}}}


# -- the on-demand ration (flexible audience evaluation) ------------------------------------
# help/segmentation/methods/flexible-audience-evaluation.md: 20 ids per job (checked in
# _requested_ids), two runs a day per sandbox (midnight UTC), 50 a year per production sandbox
# and 100 per development one; scheduled runs do not count. segmentation.yaml documents the
# refusal as 429 "too many segmentation jobs in processing". The day is the sandbox's own clock.
RATION_CODE = "UPAPI-113429-429"


def check_ration(ctx: Ctx) -> None:
    """Refuse an on-demand job beyond the sandbox's ration (``LocalSandbox.ration``)."""
    app = ctx.app
    limits = app.ration
    if app.fault_config.job_quota:  # the older fault setting: a daily limit only
        limits = replace(limits, per_day=app.fault_config.job_quota)
    if not limits.enforced:
        return
    now = app.now_ms()
    spent = ration.usage(limits, app.store.all(KIND, ctx.scope), now,
                         sandbox_object(ctx.scope)["type"])
    if spent.available:
        return
    daily = limits.per_day is not None and spent.used_today >= limits.per_day
    if daily:
        wait_ms = ration.day_start(now) + ration.DAY_MS - now
        what = f"{limits.per_day} per day"
    else:
        nxt = datetime.fromtimestamp(now / 1000, tz=UTC).year + 1
        wait_ms = int(datetime(nxt, 1, 1, tzinfo=UTC).timestamp() * 1000) - now
        what = f"{spent.per_year} per year for a {spent.sandbox_type} sandbox"
    failure = problem(429, RATION_CODE,
                      "There are too many segmentation jobs in processing at the moment. "
                      f"Try again at a later time. (On-demand evaluation ration: {what}.)")
    failure.headers["Retry-After"] = str(wait_ms // 1000 + 1)
    raise failure


def create(ctx: Ctx) -> httpx.Response:
    ids, all_segments = _requested_ids(ctx.json())
    store = ctx.app.store
    if all_segments:
        entries: list[dict[str, Any]] = [{"segmentId": "*"}]
    else:
        entries = []
        for sid in ids:
            doc = store.get(definitions.KIND, ctx.scope, sid)
            if doc is None:
                raise bad_request(f"Segment definition {sid} does not exist.",
                                  code="UPAPI-113430-400")
            entries.append(_segment_entry(ctx.app, ctx.scope, doc))
    now = ctx.app.now_ms()
    jid = new_uuid()
    job = {"id": jid, "imsOrgId": ctx.scope.org, "sandbox": sandbox_object(ctx.scope),
           "profileInstanceId": "ups", "source": "api", "status": "NEW",
           "batchId": batch_id(), "computeJobId": store.next_value("computeJobId", 1000),
           "computeGatewayJobId": new_uuid(), "segments": entries,
           "metrics": {"totalTime": {"startTimeInMs": now}, "profileSegmentationTime": {}},
           "requestId": ctx.request.headers.get("x-request-id") or new_uuid(),
           "schema": {"name": PROFILE_SCHEMA}, "modelName": PROFILE_SCHEMA, "properties": {},
           "_links": {"cancel": {"href": f"/segment/jobs/{jid}", "method": "DELETE"},
                      "checkStatus": {"href": f"/segment/jobs/{jid}", "method": "GET"}},
           "creationTime": now, "updateTime": now, "updateEpoch": now // 1000,
           OWNER_KEY: ctx.app.runner.owner}
    with store.write():  # two racing POSTs must not both take the last run of the ration
        check_ration(ctx)
        store.put(KIND, ctx.scope, jid, job, created=now)
    ctx.app.runner.submit(KIND, ctx.scope, jid)
    return json_response(200, public(job))


def get(ctx: Ctx) -> httpx.Response:
    return json_response(200, public(ctx.stored(KIND, "segment job")))


def list_(ctx: Ctx) -> httpx.Response:
    jobs = with_status(ctx, ctx.app.store.all(KIND, ctx.scope))
    prop = ctx.query.get("property", "")
    if prop.startswith("segments~segmentId=="):
        sid = prop.split("==", 1)[1]
        jobs = [j for j in jobs if any(s["segmentId"] == sid for s in j["segments"])]
    field, _, direction = (ctx.query.get("sort") or "creationTime:desc").partition(":")
    jobs.sort(key=lambda j: (j.get(field) is None, j.get(field, 0)), reverse=direction != "asc")
    return children_page(ctx, jobs, f"{UPS_BASE}/segment/jobs", present=public)


def bulk_get(ctx: Ctx) -> httpx.Response:
    ids = ctx.json_object().get("ids")
    if not isinstance(ids, list):
        raise bad_request('Body must be {"ids": [{"id": "..."}]}.')
    results: dict[str, Any] = {}
    for item in ids:
        jid = str(item.get("id")) if isinstance(item, dict) else str(item)
        doc = ctx.app.store.get(KIND, ctx.scope, jid)
        results[jid] = public(doc) if doc else bulk_missing(jid)
    return json_response(207, {"results": results})


def cancel(ctx: Ctx) -> httpx.Response:
    with ctx.app.store.write():
        doc = ctx.stored(KIND, "segment job")
        if doc["status"] not in TERMINAL:
            doc["status"] = "CANCELLING"
            _touch(ctx.app, doc)
            ctx.app.store.put(KIND, ctx.scope, doc["id"], doc)
    return json_response(204, None)


def _touch(app: LocalSandbox, doc: dict[str, Any]) -> None:
    now = app.now_ms()
    doc["updateTime"], doc["updateEpoch"] = now, now // 1000


ROUTES = [
    Route("GET", f"{UPS_BASE}/segment/jobs", list_),
    Route("POST", f"{UPS_BASE}/segment/jobs", create),
    Route("POST", f"{UPS_BASE}/segment/jobs/bulk-get", bulk_get),
    Route("GET", f"{UPS_BASE}/segment/jobs/{{id}}", get),
    Route("DELETE", f"{UPS_BASE}/segment/jobs/{{id}}", cancel),
]


# -- execution ------------------------------------------------------------------------------
class Cancelled(Exception):
    pass


class Interrupted(Exception):
    """The sandbox is closing: the job stops unfinished and the next sandbox resumes it."""


class JobStep:
    """Read-modify-write of a job document in one transaction, refusing to overwrite a
    cancellation the API recorded meanwhile."""

    def __init__(self, app: LocalSandbox, kind: str, scope: Scope, rid: str):
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
                _touch(self.app, doc)
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


def run_segmentation(app: LocalSandbox, scope: Scope, requested: list[str] | None,
                     check: Any = None) -> dict[str, evaluate.SegmentResult]:
    """Evaluate ``requested`` (None = every definition) plus their inSegment dependencies, in
    dependency order, and store the memberships. Returns the result per evaluated segment."""
    docs = {d["id"]: d for d in app.store.all(definitions.KIND, scope)}
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


def execute(app: LocalSandbox, scope: Scope, jid: str) -> None:
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

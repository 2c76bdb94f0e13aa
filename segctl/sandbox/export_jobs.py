"""Export jobs (AEP-API §7): integer ids, ``records/page/link`` listing, and an executor that
writes the selected fields of qualifying profiles as a Catalog batch of the target dataset."""

from __future__ import annotations

import json
import traceback
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx

from segctl.sandbox import catalog, definitions, evaluate
from segctl.sandbox.common import PROFILE_SCHEMA, UPS_BASE, batch_id, iso, new_uuid
from segctl.sandbox.config import merge_policy
from segctl.sandbox.runner import OWNER_KEY
from segctl.sandbox.segment_jobs import (
    Cancelled,
    Interrupted,
    JobStep,
    failure,
    public,
    run_segmentation,
)
from segctl.sandbox.store import Scope
from segctl.sandbox.web import Ctx, Route, bad_request, json_response, problem, with_status

if TYPE_CHECKING:
    from segctl.sandbox.app import LocalSandbox

KIND = "exportjob"
_STATUSES = ("realized", "existing", "exited")


def _check_filter(ctx: Ctx, flt: Any) -> dict[str, Any]:
    if flt is None:
        return {}
    if not isinstance(flt, dict):
        raise bad_request("filter must be an object.")
    segments = flt.get("segments", [])
    if not isinstance(segments, list):
        raise bad_request("filter.segments must be an array.")
    out = []
    for seg in segments:
        if not isinstance(seg, dict) or not isinstance(seg.get("segmentId"), str):
            raise bad_request("Each filter.segments entry needs a segmentId.")
        if ctx.app.store.get(definitions.KIND, ctx.scope, seg["segmentId"]) is None:
            raise bad_request(f"Segment definition {seg['segmentId']} does not exist.")
        status = seg.get("status", ["realized", "existing"])
        if not isinstance(status, list) or not status or any(s not in _STATUSES for s in status):
            raise bad_request("filter.segments[].status takes realized, existing, exited.")
        out.append({"segmentId": seg["segmentId"], "segmentNs": seg.get("segmentNs", "ups"),
                    "status": status})
    result = dict(flt)
    if segments:
        result["segments"] = out
    window = flt.get("segmentQualificationTime")
    if window is not None:
        try:
            for key in ("startTime", "endTime"):
                if key in window:
                    _parse_time(window[key])
        except (TypeError, ValueError, AttributeError):
            raise bad_request("segmentQualificationTime takes RFC 3339 times.") from None
    return result


def _parse_time(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def create(ctx: Ctx) -> httpx.Response:
    body = ctx.json_object()
    destination = body.get("destination")
    if not isinstance(destination, dict):
        raise bad_request("destination.datasetId is required.")
    dataset_id = destination.get("datasetId") or destination.get("dataSetId")
    if not isinstance(dataset_id, str) or not dataset_id:
        raise bad_request("destination.datasetId is required.")
    if (body.get("schema") or {}).get("name") != PROFILE_SCHEMA:
        raise bad_request(f"schema.name is required and must be {PROFILE_SCHEMA}.")
    if ctx.app.store.get(catalog.DATASET, ctx.scope, dataset_id) is None:
        raise problem(422, "UPLIB-101554-422",
                      f"Dataset {dataset_id} does not exist in this sandbox.")
    flt = _check_filter(ctx, body.get("filter"))
    fields = body.get("fields")
    if fields is not None and not isinstance(fields, str):
        raise bad_request("fields must be a comma-separated string.")
    now = ctx.app.now_ms()
    jid = ctx.app.store.next_value("exportJobId", 10000)
    dest: dict[str, Any] = {"datasetId": dataset_id,
                            "segmentPerBatch": bool(destination.get("segmentPerBatch"))}
    segments = flt.get("segments", [])
    if dest["segmentPerBatch"] and segments:
        dest["batches"] = [{"segmentId": s["segmentId"], "segmentNs": s["segmentNs"],
                            "status": s["status"], "batchId": batch_id()} for s in segments]
    else:
        dest["batchId"] = batch_id()
    job: dict[str, Any] = {
        "id": jid, "jobType": "BATCH", "profileInstanceId": "ups", "imsOrgId": ctx.scope.org,
        "status": "NEW", "schema": {"name": PROFILE_SCHEMA},
        "mergePolicy": _merge_policy(ctx, body.get("mergePolicy"), segments),
        "filter": flt, "destination": dest,
        "evaluationInfo": body.get("evaluationInfo") or {"segmentation": False},
        "metrics": {"totalTime": {"startTimeInMs": now}},
        "computeGatewayJobId": {"exportJob": ""}, "creationTime": now, "updateTime": now,
        "requestId": ctx.request.headers.get("x-request-id") or new_uuid(),
        OWNER_KEY: ctx.app.runner.owner,
    }
    if fields is not None:
        job["fields"] = fields
    if isinstance(body.get("additionalFields"), dict):
        job["additionalFields"] = body["additionalFields"]
    for batch in _batch_ids(job):
        _put_batch(ctx.app, ctx.scope, batch, dataset_id, "loading", now)
    ctx.app.store.put(KIND, ctx.scope, str(jid), job, created=now)
    ctx.app.runner.submit(KIND, ctx.scope, str(jid))
    return json_response(200, public(job), {"X-Location": f"{UPS_BASE}/export/jobs/{jid}"})


def _merge_policy(ctx: Ctx, given: Any, segments: list[dict[str, Any]]) -> dict[str, Any]:
    """``mergePolicy`` as the job reports it: the one sent (version defaulting to the latest),
    else that of the first exported segment, else the sandbox default (export-jobs.md: "If not
    provided, the export will take the same merge policy as the given segment")."""
    pid = given.get("id") if isinstance(given, dict) else None
    if not pid and segments:
        first = ctx.app.store.get(definitions.KIND, ctx.scope, segments[0]["segmentId"])
        pid = first.get("mergePolicyId") if first else None
    policy = merge_policy(ctx.app, ctx.scope, pid)
    if policy is None:
        raise bad_request(f"Merge policy {pid} does not exist.")
    version = given.get("version") if isinstance(given, dict) else None
    return {"id": policy["id"], "version": version or policy.get("version", 1)}


def _batch_ids(job: dict[str, Any]) -> list[str]:
    dest = job["destination"]
    return [b["batchId"] for b in dest["batches"]] if "batches" in dest else [dest["batchId"]]


def _put_batch(app: LocalSandbox, scope: Scope, bid: str, dataset_id: str, status: str,
               now: int, records: int | None = None) -> None:
    doc = app.store.get(catalog.BATCH, scope, bid) or {
        "id": bid, "imsOrg": scope.org, "created": now, "createdClient": "segmentation",
        "relatedObjects": [{"type": "dataSet", "id": dataset_id}], "version": "1.0.0",
        "inputFormat": {"format": "json"}, "externalId": bid}
    doc.update({"status": status, "updated": now})
    if status in ("success", "failed"):
        doc["completed"] = now
    if records is not None:
        doc["metrics"] = {"inputRecordCount": records, "outputRecordCount": records}
    app.store.put(catalog.BATCH, scope, bid, doc, created=doc["created"])


def get(ctx: Ctx) -> httpx.Response:
    return json_response(200, public(ctx.stored(KIND, "export job")))


def list_(ctx: Ctx) -> httpx.Response:
    jobs = with_status(ctx, ctx.app.store.all(KIND, ctx.scope))
    jobs.sort(key=lambda j: (j["creationTime"], j["id"]), reverse=True)
    offset = ctx.query.get("offset")
    if offset:
        try:
            ms_text, _, id_text = offset.partition("_")
            cursor = (int(ms_text), int(id_text))
        except ValueError:
            raise bad_request("offset must look like <creationTimeMs>_<jobId>.") from None
        jobs = [j for j in jobs if (j["creationTime"], j["id"]) < cursor]
    limit = ctx.int_param("limit", 100, lo=1)
    window = jobs[:limit]
    page: dict[str, Any] = {"sortField": "createdTime", "sort": "desc", "pageSize": len(window)}
    link: dict[str, str] = {"next": ""}
    if window:  # spec: "the creation time and job id for the last record on the page"
        last = window[-1]
        page["pageOffset"] = f"{last['creationTime']}_{last['id']}"
    if len(jobs) > limit:
        link["next"] = f"/export/jobs/?limit={limit}&offset={page['pageOffset']}"
    return json_response(200, {"records": [public(j) for j in window], "page": page,
                               "link": link})


def cancel(ctx: Ctx) -> httpx.Response:
    with ctx.app.store.write():
        doc = ctx.stored(KIND, "export job")
        if doc["status"] in ("NEW", "PROCESSING"):
            doc["status"] = "CANCELLING"
            ctx.app.store.put(KIND, ctx.scope, str(doc["id"]), doc)
    return json_response(200, {"status": True,
                               "message": "Export job has been marked for cancelling"})


ROUTES = [
    Route("GET", f"{UPS_BASE}/export/jobs", list_),
    Route("POST", f"{UPS_BASE}/export/jobs", create),
    Route("GET", f"{UPS_BASE}/export/jobs/{{id}}", get),
    Route("DELETE", f"{UPS_BASE}/export/jobs/{{id}}", cancel),
]


# -- execution ------------------------------------------------------------------------------
def _write_batch(app: LocalSandbox, scope: Scope, job: dict[str, Any], bid: str,
                 rows: list[dict[str, Any]]) -> None:
    dataset_id = job["destination"]["datasetId"]
    rel = f"datasets/{dataset_id}/{bid}/part-00000.json"
    path = app.data_dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, separators=(",", ":")) + "\n")
    tmp.replace(path)
    now = app.now_ms()
    fid = f"{bid}-1"
    app.store.put(catalog.FILE, scope, fid, {"id": fid, "batchId": bid, "dataSetId": dataset_id,
                                             "name": path.name, "path": rel, "created": now,
                                             "records": len(rows)}, created=now)
    _put_batch(app, scope, bid, dataset_id, "success", now, records=len(rows))


def execute(app: LocalSandbox, scope: Scope, rid: str) -> None:
    step = JobStep(app, KIND, scope, rid)
    try:
        job = step.update(status="PROCESSING")
        dataset_id = job["destination"]["datasetId"]
        try:
            if app.faults.job_should_fail():
                raise _Injected()
            _run(app, scope, job, step)
        except (Cancelled, Interrupted):
            raise
        except Exception as err:
            now = app.now_ms()
            for bid in _batch_ids(job):
                _put_batch(app, scope, bid, dataset_id, "failed", now)
            msg = "Error in Export Job (injected fault)" if isinstance(err, _Injected) \
                else f"Error in Export Job: {err}"
            stack = "" if isinstance(err, _Injected) else traceback.format_exc(limit=3)
            step.update(status="FAILED", errors=failure("0090000009", msg, stack))
    except Cancelled:
        stored = app.store.get(KIND, scope, rid)
        if stored is not None:
            for bid in _batch_ids(stored):
                _put_batch(app, scope, bid, stored["destination"]["datasetId"], "aborted",
                           app.now_ms())


class _Injected(Exception):
    pass


def _run(app: LocalSandbox, scope: Scope, job: dict[str, Any], step: JobStep) -> None:
    started = app.now_ms()
    segments = job["filter"].get("segments", [])
    if job.get("evaluationInfo", {}).get("segmentation") and segments:
        run_segmentation(app, scope, [s["segmentId"] for s in segments], step.check)
    data = app.profile_data()
    memberships = {s["segmentId"]: app.store.memberships(scope, s["segmentId"]) for s in segments}
    window = job["filter"].get("segmentQualificationTime") or {}
    bounds = (_parse_time(window["startTime"]) if "startTime" in window else None,
              _parse_time(window["endTime"]) if "endTime" in window else None)
    fields = evaluate.parse_fields(job.get("fields"))
    groups: list[tuple[str, list[dict[str, Any]]]]
    if "batches" in job["destination"]:
        groups = [(b["batchId"], [s for s in segments if s["segmentId"] == b["segmentId"]])
                  for b in job["destination"]["batches"]]
    else:
        groups = [(job["destination"]["batchId"], segments)]
    exported = 0
    namespaces: dict[str, int] = {}
    for bid, segs in groups:
        step.check()
        filters = [evaluate.SegmentFilter(s["segmentId"], tuple(s["status"])) for s in segs]
        rows, counts = evaluate.select_rows(data, filters, memberships, fields, bounds, iso)
        _write_batch(app, scope, job, bid, rows)
        exported += len(rows)
        for ns, n in counts.items():
            namespaces[ns] = namespaces.get(ns, 0) + n
    end = app.now_ms()
    dataset = app.store.get(catalog.DATASET, scope, job["destination"]["datasetId"])
    if dataset is not None:
        last = _batch_ids(job)[-1]
        dataset.update({"lastBatchId": last, "lastBatchStatus": "success",
                        "lastSuccessfulBatch": last, "updated": end})
        app.store.put(catalog.DATASET, scope, job["destination"]["datasetId"], dataset,
                      name=dataset["name"])
    step.update(status="SUCCEEDED", computeGatewayJobId={"exportJob": new_uuid()}, metrics={
        "totalTime": {"startTimeInMs": job["creationTime"], "endTimeInMs": end,
                      "totalTimeInMs": end - job["creationTime"]},
        "profileExportTime": {"startTimeInMs": started, "endTimeInMs": end,
                              "totalTimeInMs": end - started},
        "totalExportedProfileCounter": exported,
        "exportedProfileByNamespaceCounter": namespaces,
    })

"""Export jobs' requests and answers (AEP-API §7): create, get, the ``records/page/link``
listing with integer ids, cancel. The executor is in ``exports.models``."""

from __future__ import annotations

from typing import Any

import httpx

from segctl.sandbox.catalog.models import DATASET
from segctl.sandbox.core.runner import OWNER_KEY
from segctl.sandbox.core.values import PROFILE_SCHEMA, UPS_BASE, batch_id, new_uuid
from segctl.sandbox.core.web import Ctx, bad_request, json_response, problem, with_status
from segctl.sandbox.definitions.models import KIND as DEFINITION_KIND
from segctl.sandbox.exports.models import KIND, batch_ids, parse_time, put_batch
from segctl.sandbox.jobs.responses import public
from segctl.sandbox.mergepolicies.models import merge_policy

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
        if ctx.app.store.get(DEFINITION_KIND, ctx.scope, seg["segmentId"]) is None:
            raise bad_request(f"Segment definition {seg['segmentId']} does not exist.")
        status = seg.get("status", ["realized", "existing"])
        if not isinstance(status, list) or not status or any(s not in _STATUSES for s in status):
            raise bad_request("filter.segments[].status takes realized, existing, exited.")
        out.append({"segmentId": seg["segmentId"], "segmentNs": seg.get("segmentNs", "ups"),
                    "status": status})
    result = dict(flt)
    if segments:
        result["segments"] = out
    if "emptyProfiles" in flt and not isinstance(flt["emptyProfiles"], bool):
        raise bad_request("filter.emptyProfiles must be true or false.")
    _check_time(flt, "fromIngestTimestamp", "filter")
    window = flt.get("segmentQualificationTime")
    if window is not None:
        try:
            for key in ("startTime", "endTime"):
                if key in window:
                    parse_time(window[key])
        except (TypeError, ValueError, AttributeError):
            raise bad_request("segmentQualificationTime takes RFC 3339 times.") from None
    return result


def _check_time(container: dict[str, Any], key: str, where: str) -> None:
    if key not in container:
        return
    try:
        parse_time(container[key])
    except (TypeError, ValueError, AttributeError):
        raise bad_request(f"{where}.{key} takes an RFC 3339 time.") from None


def _check_additional(body: dict[str, Any]) -> None:
    extra = body.get("additionalFields")
    if extra is None:
        return
    events = extra.get("eventList") if isinstance(extra, dict) else None
    if not isinstance(extra, dict) or (events is not None and not isinstance(events, dict)):
        raise bad_request("additionalFields.eventList must be an object.")
    if events is None:
        return
    if "fields" in events and not isinstance(events["fields"], str):
        raise bad_request("additionalFields.eventList.fields must be a comma-separated string.")
    window = events.get("filter", {})
    if not isinstance(window, dict):
        raise bad_request("additionalFields.eventList.filter must be an object.")
    for key in ("fromIngestTimestamp", "toIngestTimestamp"):
        _check_time(window, key, "additionalFields.eventList.filter")


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
    if ctx.app.store.get(DATASET, ctx.scope, dataset_id) is None:
        raise problem(422, "UPLIB-101554-422",
                      f"Dataset {dataset_id} does not exist in this sandbox.")
    flt = _check_filter(ctx, body.get("filter"))
    _check_additional(body)
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
        "errors": [],  # segmentation.yaml export job: errors[] (filled when it fails)
        "requestId": ctx.request.headers.get("x-request-id") or new_uuid(),
        OWNER_KEY: ctx.app.runner.owner,
    }
    if fields is not None:
        job["fields"] = fields
    if isinstance(body.get("additionalFields"), dict):
        job["additionalFields"] = body["additionalFields"]
    for batch in batch_ids(job):
        put_batch(ctx.app, ctx.scope, batch, dataset_id, "loading", now)
    ctx.app.store.put(KIND, ctx.scope, str(jid), job, created=now)
    ctx.app.runner.submit(KIND, ctx.scope, str(jid))
    return json_response(200, public(job), {"X-Location": f"{UPS_BASE}/export/jobs/{jid}"})


def _merge_policy(ctx: Ctx, given: Any, segments: list[dict[str, Any]]) -> dict[str, Any]:
    """``mergePolicy`` as the job reports it: the one sent (version defaulting to the latest),
    else that of the first exported segment, else the sandbox default (export-jobs.md: "If not
    provided, the export will take the same merge policy as the given segment")."""
    pid = given.get("id") if isinstance(given, dict) else None
    if not pid and segments:
        first = ctx.app.store.get(DEFINITION_KIND, ctx.scope, segments[0]["segmentId"])
        pid = first.get("mergePolicyId") if first else None
    policy = merge_policy(ctx.app, ctx.scope, pid)
    if policy is None:
        raise bad_request(f"Merge policy {pid} does not exist.")
    version = given.get("version") if isinstance(given, dict) else None
    return {"id": policy["id"], "version": version or policy.get("version", 1)}


def get(ctx: Ctx) -> httpx.Response:
    return json_response(200, public(ctx.stored(KIND, "export job")))


def list_(ctx: Ctx) -> httpx.Response:
    jobs = with_status(ctx, ctx.resume(KIND, ctx.app.store.all(KIND, ctx.scope)))
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

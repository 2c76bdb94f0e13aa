"""Export jobs' state and behaviour: the request checks and the new job (``POST /export/jobs``
and a schedule's run), the executor that writes the selected fields of
qualifying profiles as a Catalog batch of the target dataset, and the batches' life cycle
(AEP-API §7)."""

from __future__ import annotations

import traceback
from datetime import datetime
from typing import Any

from segctl.sandbox.catalog.models import BATCH, DATASET, FILE
from segctl.sandbox.core.host import Host
from segctl.sandbox.core.runner import FINAL_KEY, OWNER_KEY
from segctl.sandbox.core.store import Partition
from segctl.sandbox.core.values import PROFILE_SCHEMA, batch_id, iso, new_uuid
from segctl.sandbox.core.web import bad_request, problem
from segctl.sandbox.dataaccess.models import PART_NAME, write_rows
from segctl.sandbox.definitions.models import KIND as DEFINITION_KIND
from segctl.sandbox.jobs.models import (
    Cancelled,
    Interrupted,
    JobStep,
    failure,
    run_segmentation,
)
from segctl.sandbox.mergepolicies.models import merge_policy
from segctl.sandbox.profilestore import evaluate

KIND = "exportjob"


def parse_time(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def batch_ids(job: dict[str, Any]) -> list[str]:
    dest = job["destination"]
    return [b["batchId"] for b in dest["batches"]] if "batches" in dest else [dest["batchId"]]


def put_batch(app: Host, scope: Partition, bid: str, dataset_id: str, status: str,
               now: int, records: int | None = None) -> None:
    doc = app.store.get(BATCH, scope, bid) or {
        "id": bid, "imsOrg": scope.org, "created": now, "createdClient": "segmentation",
        "relatedObjects": [{"type": "dataSet", "id": dataset_id}], "version": "1.0.0",
        "inputFormat": {"format": "parquet"}, "externalId": bid}
    doc.update({"status": status, "updated": now})
    if status in ("success", "failed"):
        doc["completed"] = now
    if records is not None:
        doc["metrics"] = {"inputRecordCount": records, "outputRecordCount": records}
    app.store.put(BATCH, scope, bid, doc, created=doc["created"])


def _write_batch(app: Host, scope: Partition, job: dict[str, Any], bid: str,
                 rows: list[dict[str, Any]]) -> None:
    dataset_id = job["destination"]["datasetId"]
    rel = f"datasets/{dataset_id}/{bid}/{PART_NAME}"
    path = app.data_dir / rel
    write_rows(path, rows)
    now = app.now_ms()
    fid = f"{bid}-1"
    app.store.put(FILE, scope, fid, {"id": fid, "batchId": bid, "dataSetId": dataset_id,
                                             "name": path.name, "path": rel, "created": now,
                                             "records": len(rows)}, created=now)


def publish(app: Host, scope: Partition, job: dict[str, Any]) -> None:
    """An export's end in Catalog: its batches ``success`` with their record counts and the
    dataset's ``lastBatchId``/``lastSuccessfulBatch``. Run when the job shows SUCCEEDED: at
    once, or when a held-back end is applied (realistic timing), so a reader never sees the
    rows of an export that has not finished."""
    now = app.now_ms()
    dataset_id = job["destination"]["datasetId"]
    for bid in batch_ids(job):
        records = sum(int(f.get("records", 0)) for f in app.store.all(FILE, scope)
                      if f["batchId"] == bid)
        put_batch(app, scope, bid, dataset_id, "success", now, records=records)
    dataset = app.store.get(DATASET, scope, dataset_id)
    if dataset is not None:
        last = batch_ids(job)[-1]
        dataset.update({"lastBatchId": last, "lastBatchStatus": "success",
                        "lastSuccessfulBatch": last, "updated": now})
        app.store.put(DATASET, scope, dataset_id, dataset, name=dataset["name"])


def _us(text: Any) -> int | None:
    return parse_time(text) * 1000 if isinstance(text, str) else None


def export_filter(job: dict[str, Any]) -> evaluate.ProfileFilter:
    """The job's ``filter.emptyProfiles``, ``filter.fromIngestTimestamp`` and
    ``additionalFields.eventList`` (export-jobs.md)."""
    flt = job.get("filter") or {}
    events = (job.get("additionalFields") or {}).get("eventList")
    window = (events or {}).get("filter") or {}
    return evaluate.ProfileFilter(
        empty_profiles=flt.get("emptyProfiles") is True,
        ingested_after_us=_us(flt.get("fromIngestTimestamp")),
        events=isinstance(events, dict),
        event_fields=evaluate.parse_fields((events or {}).get("fields")),
        events_from_us=_us(window.get("fromIngestTimestamp")),
        events_to_us=_us(window.get("toIngestTimestamp")))


_STATUSES = ("realized", "existing", "exited")


def _check_filter(app: Host, scope: Partition, flt: Any) -> dict[str, Any]:
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
        if app.store.get(DEFINITION_KIND, scope, seg["segmentId"]) is None:
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


def check_request(app: Host, scope: Partition, body: Any) -> dict[str, Any]:
    """The ``POST /export/jobs`` body checked as the API checks it (400, or 422 for a dataset
    the sandbox does not have): its dataset id, checked ``filter`` and ``fields``. A schedule
    of type ``export`` is checked the same way when it is created."""
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    destination = body.get("destination")
    if not isinstance(destination, dict):
        raise bad_request("destination.datasetId is required.")
    dataset_id = destination.get("datasetId") or destination.get("dataSetId")
    if not isinstance(dataset_id, str) or not dataset_id:
        raise bad_request("destination.datasetId is required.")
    if (body.get("schema") or {}).get("name") != PROFILE_SCHEMA:
        raise bad_request(f"schema.name is required and must be {PROFILE_SCHEMA}.")
    if app.store.get(DATASET, scope, dataset_id) is None:
        raise problem(422, "UPLIB-101554-422",
                      f"Dataset {dataset_id} does not exist in this sandbox.")
    flt = _check_filter(app, scope, body.get("filter"))
    _check_additional(body)
    fields = body.get("fields")
    if fields is not None and not isinstance(fields, str):
        raise bad_request("fields must be a comma-separated string.")
    return {"datasetId": dataset_id, "filter": flt, "fields": fields}


def new_export_job(app: Host, scope: Partition, body: Any, *, request_id: str,
                   extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Check ``body`` (:func:`check_request`), then store a NEW export job with its batches
    ``loading`` and queue it; what ``POST /export/jobs`` answers. ``extra`` adds fields (a
    scheduled run's ``source`` and ``properties``)."""
    checked = check_request(app, scope, body)
    dataset_id, flt, fields = checked["datasetId"], checked["filter"], checked["fields"]
    destination = body["destination"]
    now = app.now_ms()
    jid = app.store.next_value("exportJobId", 10000)
    dest: dict[str, Any] = {"datasetId": dataset_id,
                            "segmentPerBatch": bool(destination.get("segmentPerBatch"))}
    segments = flt.get("segments", [])
    if dest["segmentPerBatch"] and segments:
        dest["batches"] = [{"segmentId": s["segmentId"], "segmentNs": s["segmentNs"],
                            "status": s["status"], "batchId": batch_id()} for s in segments]
    else:
        dest["batchId"] = batch_id()
    job: dict[str, Any] = {
        "id": jid, "jobType": "BATCH", "profileInstanceId": "ups", "imsOrgId": scope.org,
        "status": "NEW", "schema": {"name": PROFILE_SCHEMA},
        "mergePolicy": _merge_policy(app, scope, body.get("mergePolicy"), segments),
        "filter": flt, "destination": dest,
        "evaluationInfo": body.get("evaluationInfo") or {"segmentation": False},
        "metrics": {"totalTime": {"startTimeInMs": now}},
        "computeGatewayJobId": {"exportJob": ""}, "creationTime": now, "updateTime": now,
        "errors": [],  # segmentation.yaml export job: errors[] (filled when it fails)
        "requestId": request_id,
        **(extra or {}),
        OWNER_KEY: app.runner.owner,
    }
    if fields is not None:
        job["fields"] = fields
    if isinstance(body.get("additionalFields"), dict):
        job["additionalFields"] = body["additionalFields"]
    for batch in batch_ids(job):
        put_batch(app, scope, batch, dataset_id, "loading", now)
    app.store.put(KIND, scope, str(jid), job, created=now)
    app.runner.submit(KIND, scope, str(jid))
    return job


def _merge_policy(app: Host, scope: Partition, given: Any,
                  segments: list[dict[str, Any]]) -> dict[str, Any]:
    """``mergePolicy`` as the job reports it: the one sent (version defaulting to the latest),
    else that of the first exported segment, else the sandbox default (export-jobs.md: "If not
    provided, the export will take the same merge policy as the given segment")."""
    pid = given.get("id") if isinstance(given, dict) else None
    if not pid and segments:
        first = app.store.get(DEFINITION_KIND, scope, segments[0]["segmentId"])
        pid = first.get("mergePolicyId") if first else None
    policy = merge_policy(app, scope, pid)
    if policy is None:
        raise bad_request(f"Merge policy {pid} does not exist.")
    version = given.get("version") if isinstance(given, dict) else None
    return {"id": policy["id"], "version": version or policy.get("version", 1)}


def execute(app: Host, scope: Partition, rid: str) -> None:
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
            for bid in batch_ids(job):
                put_batch(app, scope, bid, dataset_id, "failed", now)
            msg = "Error in Export Job (injected fault)" if isinstance(err, _Injected) \
                else f"Error in Export Job: {err}"
            stack = "" if isinstance(err, _Injected) else traceback.format_exc(limit=3)
            step.update(status="FAILED", errors=failure("0090000009", msg, stack))
    except Cancelled:
        stored = app.store.get(KIND, scope, rid)
        if stored is not None:
            for bid in batch_ids(stored):
                put_batch(app, scope, bid, stored["destination"]["datasetId"], "aborted",
                           app.now_ms())


class _Injected(Exception):
    pass


def _run(app: Host, scope: Partition, job: dict[str, Any], step: JobStep) -> None:
    started = app.now_ms()
    segments = job["filter"].get("segments", [])
    if job.get("evaluationInfo", {}).get("segmentation") and segments:
        run_segmentation(app, scope, [s["segmentId"] for s in segments], step.check)
    data = app.profile_data()
    memberships = {s["segmentId"]: app.store.memberships(scope, s["segmentId"]) for s in segments}
    window = job["filter"].get("segmentQualificationTime") or {}
    bounds = (parse_time(window["startTime"]) if "startTime" in window else None,
              parse_time(window["endTime"]) if "endTime" in window else None)
    fields = evaluate.parse_fields(job.get("fields"))
    profile_filter = export_filter(job)
    groups: list[tuple[str, list[dict[str, Any]]]]
    if "batches" in job["destination"]:
        groups = [(b["batchId"], [s for s in segments if s["segmentId"] == b["segmentId"]])
                  for b in job["destination"]["batches"]]
    else:
        groups = [(job["destination"]["batchId"], segments)]
    exported = 0
    namespaces: dict[str, int] = {}
    write_ms = 0
    for bid, segs in groups:
        step.check()
        filters = [evaluate.SegmentFilter(s["segmentId"], tuple(s["status"])) for s in segs]
        rows, counts = evaluate.select_rows(data, filters, memberships, fields, bounds, iso,
                                            profile_filter)
        write_start = app.now_ms()
        _write_batch(app, scope, job, bid, rows)
        write_ms += app.now_ms() - write_start
        exported += len(rows)
        for ns, n in counts.items():
            namespaces[ns] = namespaces.get(ns, 0) + n
    end = app.now_ms()
    published = not step.holds_back(job)
    if published:  # before the status: a reader that sees SUCCEEDED finds the rows
        publish(app, scope, job)
    ended = step.update(status="SUCCEEDED", computeGatewayJobId={"exportJob": new_uuid()}, metrics={
        "totalTime": {"startTimeInMs": job["creationTime"], "endTimeInMs": end,
                      "totalTimeInMs": end - job["creationTime"]},
        "profileExportTime": {"startTimeInMs": started, "endTimeInMs": end,
                              "totalTimeInMs": end - started},
        # segmentation.yaml / export-jobs.md: the time spent writing the dataset
        "aCPDatasetWriteTime": {"startTimeInMs": end - write_ms, "endTimeInMs": end,
                                "totalTimeInMs": write_ms},
        "totalExportedProfileCounter": exported,
        "exportedProfileByNamespaceCounter": namespaces,
    })
    if not published and FINAL_KEY not in ended:  # its time came meanwhile
        publish(app, scope, ended)
    # else publish runs when the held-back end is applied (core.runner.refresh)

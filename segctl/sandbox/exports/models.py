"""Export jobs' state and behaviour: the executor that writes the selected fields of
qualifying profiles as a Catalog batch of the target dataset, and the batches' life cycle
(AEP-API §7)."""

from __future__ import annotations

import traceback
from datetime import datetime
from typing import Any

from segctl.sandbox.catalog.models import BATCH, DATASET, FILE
from segctl.sandbox.core.host import Host
from segctl.sandbox.core.runner import FINAL_KEY
from segctl.sandbox.core.store import Partition
from segctl.sandbox.core.values import iso, new_uuid
from segctl.sandbox.dataaccess.models import PART_NAME, write_rows
from segctl.sandbox.jobs.models import (
    Cancelled,
    Interrupted,
    JobStep,
    failure,
    run_segmentation,
)
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

"""Export job filters (help/segmentation/api/export-jobs.md): ``filter.emptyProfiles`` (event-only
profiles of the sample), ``filter.fromIngestTimestamp`` and ``additionalFields.eventList``; the
rows are read back from the Parquet batch through Data Access's preview."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import httpx
import pyarrow.parquet as pq

from segctl.sandbox import LocalSandbox
from segctl.sandbox.profilestore import evaluate
from tests.sandbox.conftest import CATALOG, EXPORT, NOW, UPS, wait_job

PROFILE = "_xdm.context.profile"


def _rows(local: httpx.Client, body: dict[str, Any]) -> list[dict[str, Any]]:
    did = local.post(f"{CATALOG}/dataSets", json={"name": f"d{id(body)}"}).json()[0]
    did = did.rsplit("/", 1)[1]
    job = local.post(f"{UPS}/export/jobs", json={
        "destination": {"datasetId": did}, "schema": {"name": PROFILE}, **body})
    assert job.status_code == 200, job.text
    assert wait_job(local, f"{UPS}/export/jobs/{job.json()['id']}")["status"] == "SUCCEEDED"
    batch = local.get(f"{CATALOG}/dataSets/{did}").json()[did]["lastSuccessfulBatch"]
    [listed] = local.get(f"{EXPORT}/batches/{batch}/files").json()["data"]
    [entry] = local.get(f"{EXPORT}/files/{listed['dataSetFileId']}").json()["data"]
    content = local.get(f"{EXPORT}/files/{listed['dataSetFileId']}",
                        params={"path": entry["name"]}).content
    return list(pq.read_table(io.BytesIO(content)).to_pylist())


def test_empty_profiles_are_left_out_unless_asked_for(local: httpx.Client,
                                                      sandbox: LocalSandbox) -> None:
    data = sandbox.profile_data()
    empty = {pid for pid, profile, _ in data.rows() if evaluate.is_empty_profile(profile)}
    ids = {pid for pid, _, _ in data.rows()}
    assert 0 < len(empty) < len(data) // 10  # one profile in 25 is an anonymous visitor
    default = {r["_id"] for r in _rows(local, {"fields": "_id"})}
    assert default == ids - empty
    everyone = {r["_id"] for r in _rows(local, {"fields": "_id",
                                                "filter": {"emptyProfiles": True}})}
    assert everyone == ids


def test_from_ingest_timestamp_keeps_profiles_ingested_since(local: httpx.Client,
                                                              sandbox: LocalSandbox) -> None:
    since = NOW - timedelta(days=7)
    since_us = int(since.timestamp() * 1_000_000)
    data = sandbox.profile_data()
    expected = {pid for pid, profile, events in data.rows()
                if not evaluate.is_empty_profile(profile)
                and any(t is not None and t > since_us for t in events.times)}
    rows = _rows(local, {"fields": "_id", "filter": {
        "fromIngestTimestamp": since.isoformat().replace("+00:00", "Z")}})
    assert {r["_id"] for r in rows} == expected and 0 < len(expected) < len(data)


def test_event_list_adds_each_profiles_events_in_its_window(local: httpx.Client,
                                                            sandbox: LocalSandbox) -> None:
    since = NOW - timedelta(days=30)
    since_us = int(since.timestamp() * 1_000_000)
    rows = _rows(local, {"fields": "_id", "additionalFields": {"eventList": {
        "fields": "eventType,timestamp",
        "filter": {"fromIngestTimestamp": since.isoformat().replace("+00:00", "Z")}}}})
    data = sandbox.profile_data()
    events_of = {pid: events for pid, _, events in data.rows()}
    assert rows and any(r["eventList"] for r in rows)
    for row in rows:
        prepared = events_of[row["_id"]]
        want = [{"eventType": e["eventType"], "timestamp": e["timestamp"]}
                for e, t in zip(prepared.events, prepared.times, strict=True)
                if t is not None and t > since_us]
        assert [{k: v for k, v in e.items() if v is not None} for e in row["eventList"]] == want


def test_bad_filters_are_refused(local: httpx.Client) -> None:
    did = local.post(f"{CATALOG}/dataSets", json={"name": "bad"}).json()[0].rsplit("/", 1)[1]
    base = {"destination": {"datasetId": did}, "schema": {"name": PROFILE}}
    for extra in ({"filter": {"emptyProfiles": "yes"}},
                  {"filter": {"fromIngestTimestamp": "yesterday"}},
                  {"additionalFields": {"eventList": {"filter": {"toIngestTimestamp": 5}}}},
                  {"additionalFields": {"eventList": "all"}}):
        assert local.post(f"{UPS}/export/jobs", json={**base, **extra}).status_code == 400

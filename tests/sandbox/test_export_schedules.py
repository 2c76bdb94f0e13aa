"""Export schedules run (help/segmentation/api/schedules.md: types ``batch_segmentation`` and
``export``; segmentation.yaml's Schedules tag: "a recurring schedule to automatically run
export jobs"). Their ``properties`` are the ``POST /export/jobs`` body (a documented choice,
FIDELITY.md): checked as that POST checks it at create, and each run creates that job, with
``source: scheduler`` and ``properties.scheduleId/runId``, so the dataset gets a new batch."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from segctl.sandbox import LocalSandbox
from tests.sandbox.conftest import (
    CATALOG,
    UPS,
    definition,
    fixed_now,
    gateway_headers,
    issue_token,
    sandbox_client,
)

PROFILE = "_xdm.context.profile"
NOW = fixed_now()  # 2026-06-01 12:00 UTC


@pytest.fixture
def app(sandbox: LocalSandbox) -> LocalSandbox:
    return sandbox  # conftest's: the seeded data directory, the fixed clock


def _setup(http: httpx.Client) -> tuple[str, str]:
    """A segment and a dataset: (segment id, dataset id)."""
    seg = http.post(f"{UPS}/segment/definitions",
                    json=definition("Women", 'person.gender = "female"')).json()
    did = http.post(f"{CATALOG}/dataSets", json={"name": "women"}).json()[0].rsplit("/", 1)[1]
    return seg["id"], did


def _export_body(seg: str, did: str) -> dict[str, Any]:
    return {"filter": {"segments": [{"segmentId": seg, "segmentNs": "ups",
                                     "status": ["realized", "existing"]}]},
            "destination": {"datasetId": did, "segmentPerBatch": False},
            "schema": {"name": PROFILE}, "fields": "person.gender"}


def _schedule(http: httpx.Client, properties: Any, **extra: Any) -> httpx.Response:
    return http.post(f"{UPS}/config/schedules", json={
        "name": "women nightly", "type": "export", "properties": properties,
        "schedule": "0 0 3 * * ?", "state": "active", **extra})


def test_an_active_export_schedule_runs_at_its_time_into_a_new_batch(
        app: LocalSandbox) -> None:
    with sandbox_client(app) as http:
        seg, did = _setup(http)
        created = _schedule(http, _export_body(seg, did))
        assert created.status_code == 200, created.text
        schedule = created.json()
        assert (schedule["type"], schedule["state"], schedule["schedule"]) == (
            "export", "active", "0 0 3 * * ?")
        assert schedule["properties"] == _export_body(seg, did)  # kept as sent
        assert http.get(f"{UPS}/export/jobs").json()["records"] == []

        started = app.advance(timedelta(hours=14))  # 02:00: the 01:00 batch run only
        assert [job.get("source") for _, job in started] == ["scheduler"]
        assert "destination" not in started[0][1]
        started = app.advance(timedelta(hours=2))  # 04:00: the 03:00 export is due
        [(_, job)] = started
        assert app.wait_idle(60)
        [record] = http.get(f"{UPS}/export/jobs").json()["records"]
        assert record["id"] == job["id"] and record["status"] == "SUCCEEDED"
        assert record["source"] == "scheduler"
        assert record["properties"]["scheduleId"] == schedule["id"]
        assert record["properties"]["runId"]
        assert record["requestId"].startswith(f"{schedule['id']}-")
        assert record["destination"]["datasetId"] == did
        assert record["fields"] == "person.gender"
        assert record["filter"]["segments"][0]["segmentId"] == seg
        assert record["metrics"]["totalExportedProfileCounter"] > 0
        dataset = http.get(f"{CATALOG}/dataSets/{did}").json()[did]
        assert dataset["lastSuccessfulBatch"] == record["destination"]["batchId"]
        batch = http.get(f"{CATALOG}/batches/{dataset['lastSuccessfulBatch']}").json()
        assert next(iter(batch.values()))["status"] == "success"

        assert app.advance(timedelta(hours=1)) == []  # once a day
        http.headers.update(gateway_headers(issue_token(http)))
        started = app.advance(timedelta(days=1))  # the next night: batch, then export
        assert ["destination" in job for _, job in started] == [False, True]
        assert app.wait_idle(60)
        http.headers.update(gateway_headers(issue_token(http)))
        batches = [r["destination"]["batchId"]
                   for r in http.get(f"{UPS}/export/jobs").json()["records"]]
        assert len(set(batches)) == 2  # a new batch each night
        last = http.get(f"{CATALOG}/dataSets/{did}").json()[did]["lastSuccessfulBatch"]
        assert last == batches[0]


def test_an_inactive_export_schedule_does_not_run(app: LocalSandbox) -> None:
    with sandbox_client(app) as http:
        seg, did = _setup(http)
        schedule = _schedule(http, _export_body(seg, did), state="inactive").json()
        assert app.advance(timedelta(hours=16))[0][1].get("destination") is None
        assert http.get(f"{UPS}/export/jobs").json()["records"] == []
        response = http.patch(f"{UPS}/config/schedules/{schedule['id']}",
                              json=[{"op": "add", "path": "/state", "value": "active"}])
        assert response.status_code == 204
        assert app.advance(timedelta(hours=2)) == []  # a change applies from now on
        started = app.advance(timedelta(days=1))
        assert [("destination" in job) for _, job in started] == [False, True]


@pytest.mark.parametrize(("properties", "status", "words"), [
    (None, 400, "properties is required"),
    ({"schema": {"name": PROFILE}}, 400, "destination.datasetId is required"),
    ({"destination": {"datasetId": "nope"}, "schema": {"name": PROFILE}}, 422,
     "does not exist"),
    ("fields", 400, "properties must be an object"),
])
def test_an_export_schedule_is_checked_as_post_export_jobs(
        app: LocalSandbox, properties: Any, status: int, words: str) -> None:
    with sandbox_client(app) as http:
        response = _schedule(http, properties)
        assert response.status_code == status, response.text
        assert words in response.text
        assert [s["type"] for s in http.get(f"{UPS}/config/schedules").json()["children"]] \
            == ["batch_segmentation"]


def test_an_unknown_segment_is_refused_as_post_export_jobs_refuses_it(
        app: LocalSandbox) -> None:
    with sandbox_client(app) as http:
        _, did = _setup(http)
        body = _export_body("no-such-segment", did)
        direct = http.post(f"{UPS}/export/jobs", json=body)
        scheduled = _schedule(http, body)
        assert (direct.status_code, scheduled.status_code) == (400, 400)
        assert direct.json()["errors"] == scheduled.json()["errors"]
        assert "no-such-segment does not exist" in scheduled.text


def test_a_run_whose_dataset_is_gone_starts_nothing(app: LocalSandbox) -> None:
    with sandbox_client(app) as http:
        seg, did = _setup(http)
        assert _schedule(http, _export_body(seg, did)).status_code == 200
        assert http.delete(f"{CATALOG}/dataSets/{did}").status_code == 200
        started = app.advance(timedelta(hours=16))
        assert [("destination" in job) for _, job in started] == [False]
        assert http.get(f"{UPS}/export/jobs").json()["records"] == []
        assert len(http.get(f"{UPS}/config/schedules").json()["children"]) == 2

"""DESIGN.md §1 through raw HTTP against the served sandbox: definition → segment job → dataset
→ export job → the exported rows, each checked against the PQL by segctl.pql."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pyarrow.parquet as pq

from segctl import pql
from segctl.sandbox.profilestore import profiles as sample_profiles
from tests.sandbox.conftest import CATALOG, EXPORT, NOW, UPS, definition, wait_job

FEMALE = 'person.gender = "female"'
BUYERS = 'xEvent[eventType = "commerce.purchases"].count() >= 2'


def _create(http: httpx.Client, name: str, text: str) -> dict[str, Any]:
    response = http.post(f"{UPS}/segment/definitions", json=definition(name, text, ttlInDays=30))
    assert response.status_code == 200, response.text
    return dict(response.json())


def _run_job(http: httpx.Client, segment_id: str) -> dict[str, Any]:
    job = http.post(f"{UPS}/segment/jobs", json=[{"segmentId": segment_id}])
    assert job.status_code == 200, job.text
    return wait_job(http, f"{UPS}/segment/jobs/{job.json()['id']}")


def _export_rows(http: httpx.Client, dataset_id: str) -> list[dict[str, Any]]:
    """Read the newest batch of a dataset back through Catalog + Data Access."""
    batches = http.get(f"{CATALOG}/batches", params={"dataSet": dataset_id}).json()
    newest = max(batches.values(), key=lambda b: b["created"])
    assert newest["status"] == "success"
    listing = http.get(f"{EXPORT}/batches/{newest['id']}/files").json()
    rows: list[dict[str, Any]] = []
    for entry in listing["data"]:
        file_id = entry["dataSetFileId"]
        files = http.get(f"{EXPORT}/files/{file_id}").json()["data"]
        for f in files:
            content = http.get(f"{EXPORT}/files/{file_id}", params={"path": f["name"]})
            assert content.status_code == 200
            assert int(f["length"]) == len(content.content)
            assert content.content[:4] == b"PAR1"  # AEP batch files are Parquet
            rows.extend(pq.read_table(io.BytesIO(content.content)).to_pylist())
    return rows


def test_manual_workflow_end_to_end(http: httpx.Client, data_dir: Path) -> None:
    female = _create(http, "Female", FEMALE)
    buyers = _create(http, "Repeat buyers", BUYERS)
    both = _create(http, "Female repeat buyers",
                   f'inSegment("{female["id"]}") and inSegment("{buyers["id"]}")')

    # segment job for the composite only: its dependencies are evaluated first, automatically
    job = http.post(f"{UPS}/segment/jobs", json=[{"segmentId": both["id"]}])
    assert job.status_code == 200, job.text
    assert job.json()["status"] == "NEW"
    done = wait_job(http, f"{UPS}/segment/jobs/{job.json()['id']}")
    assert done["status"] == "SUCCEEDED", done.get("errors")
    assert set(done["_seen"]) <= {"NEW", "QUEUED", "PROCESSING", "SUCCEEDED"}
    counters = done["metrics"]["segmentedProfileCounter"]
    assert set(counters) == {female["id"], buyers["id"], both["id"]}
    by_status = done["metrics"]["segmentedProfileByStatusCounter"]
    assert by_status[both["id"]]["realized"] == counters[both["id"]] > 0
    assert done["metrics"]["totalProfiles"] == len(sample_profiles.load(data_dir))

    created = http.post(f"{CATALOG}/dataSets", json={
        "name": "Female repeat buyers export",
        "schemaRef": {"id": "https://ns.adobe.com/xdm/context/profile__union",
                      "contentType": "application/vnd.adobe.xed+json;version=1"}})
    assert created.status_code == 201
    dataset_id = created.json()[0].rsplit("/", 1)[1]

    export = http.post(f"{UPS}/export/jobs", json={
        "filter": {"segments": [{"segmentId": both["id"], "status": ["realized", "existing"]}]},
        "destination": {"datasetId": dataset_id, "segmentPerBatch": False},
        "schema": {"name": "_xdm.context.profile"}})
    assert export.status_code == 200, export.text
    assert isinstance(export.json()["id"], int)
    finished = wait_job(http, f"{UPS}/export/jobs/{export.json()['id']}")
    assert finished["status"] == "SUCCEEDED", finished.get("errors")

    rows = _export_rows(http, dataset_id)
    assert len(rows) == counters[both["id"]] == finished["metrics"][
        "totalExportedProfileCounter"]
    data = sample_profiles.load(data_dir)
    events = dict(zip(data.ids, data.events, strict=True))
    female_p = pql.compile(pql.parse(FEMALE))
    buyers_p = pql.compile(pql.parse(BUYERS))
    exported = {row["_id"] for row in rows}
    for pid, profile, evs in data.rows():
        expected = bool(female_p.evaluate(profile, evs, NOW)) and bool(
            buyers_p.evaluate(profile, evs, NOW))
        assert (pid in exported) == expected, pid
    for row in rows:
        assert row["segmentMembership"]["ups"][both["id"]]["status"] == "realized"
        assert buyers_p.evaluate(row, events[row["_id"]], NOW)


def test_second_run_turns_members_existing_and_exits(http: httpx.Client) -> None:
    seg = _create(http, "Women", FEMALE)
    first = _run_job(http, seg["id"])
    members = first["metrics"]["segmentedProfileCounter"][seg["id"]]
    patched = http.patch(f"{UPS}/segment/definitions/{seg['id']}",
                         json={**seg, "expression": {"type": "PQL", "format": "pql/text",
                                                     "value": 'person.gender = "nobody"'}})
    assert patched.status_code == 200
    second = _run_job(http, seg["id"])
    assert second["metrics"]["segmentedProfileByStatusCounter"][seg["id"]] == {
        "realized": 0, "existing": 0, "exited": members}


def test_export_fields_projection_and_exited_status(http: httpx.Client) -> None:
    seg = _create(http, "Women again", FEMALE)
    _run_job(http, seg["id"])
    did = http.post(f"{CATALOG}/dataSets", json={"name": "proj"}).json()[0].rsplit("/", 1)[1]
    job = http.post(f"{UPS}/export/jobs", json={
        "fields": "person.gender,identityMap.ECID.id",
        "filter": {"segments": [{"segmentId": seg["id"]}]},
        "destination": {"datasetId": did}, "schema": {"name": "_xdm.context.profile"}})
    assert job.json()["destination"]["batchId"]
    done = wait_job(http, f"{UPS}/export/jobs/{job.json()['id']}")
    rows = _export_rows(http, did)
    assert rows and all(set(r) == {"person", "identityMap"} for r in rows)
    assert all(r["person"] == {"gender": "female"} for r in rows)
    assert all(set(r["identityMap"]["ECID"][0]) == {"id"} for r in rows)
    assert done["metrics"]["exportedProfileByNamespaceCounter"]["ECID"] == len(rows)

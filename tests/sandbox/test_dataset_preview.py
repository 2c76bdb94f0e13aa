"""Data Access ``GET /export/datasets/{id}/preview`` (data-access.yaml retrieveDatasetPreview):
the first 100 rows of a dataset's Parquet batch as JSON; and export batches are Parquet."""

from __future__ import annotations

import io

import httpx
import pyarrow.parquet as pq

from tests.sandbox.conftest import CATALOG, EXPORT, UPS, definition, wait_job


def _export(local: httpx.Client, name: str, pql_text: str, fields: str) -> str:
    seg = local.post(f"{UPS}/segment/definitions", json=definition(name, pql_text)).json()
    did = local.post(f"{CATALOG}/dataSets", json={"name": f"{name} rows"}).json()[0]
    did = did.rsplit("/", 1)[1]
    job = local.post(f"{UPS}/export/jobs", json={
        "fields": fields, "filter": {"segments": [{"segmentId": seg["id"]}]},
        "destination": {"datasetId": did}, "schema": {"name": "_xdm.context.profile"},
        "evaluationInfo": {"segmentation": True}}).json()
    assert wait_job(local, f"{UPS}/export/jobs/{job['id']}")["status"] == "SUCCEEDED"
    return did


def test_preview_serves_the_first_100_rows_of_the_parquet_batch(local: httpx.Client) -> None:
    did = _export(local, "Everyone", "true", "_id,person.gender")
    preview = local.get(f"{EXPORT}/datasets/{did}/preview")
    assert preview.status_code == 200
    rows = preview.json()["data"]
    assert len(rows) == 100
    assert all(set(r) == {"_id", "person"} and set(r["person"]) == {"gender"} for r in rows)
    batch = local.get(f"{CATALOG}/dataSets/{did}").json()[did]["lastSuccessfulBatch"]
    [listed] = local.get(f"{EXPORT}/batches/{batch}/files").json()["data"]
    [entry] = local.get(f"{EXPORT}/files/{listed['dataSetFileId']}").json()["data"]
    assert entry["name"].endswith(".parquet")
    content = local.get(f"{EXPORT}/files/{listed['dataSetFileId']}",
                        params={"path": entry["name"]}).content
    assert content[:4] == b"PAR1"
    table = pq.read_table(io.BytesIO(content))
    assert table.num_rows > 100 and table.to_pylist()[:100] == rows


def test_preview_of_a_dataset_without_batches_and_of_an_unknown_one(local: httpx.Client
                                                                     ) -> None:
    did = local.post(f"{CATALOG}/dataSets", json={"name": "empty"}).json()[0].rsplit("/", 1)[1]
    assert local.get(f"{EXPORT}/datasets/{did}/preview").json() == {"data": []}
    missing = local.get(f"{EXPORT}/datasets/{'0' * 24}/preview")
    assert missing.status_code == 404 and missing.json()["title"] == "NotFoundError"

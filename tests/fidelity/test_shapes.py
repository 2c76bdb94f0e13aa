"""The documented request and response shapes, asserted against the in-process sandbox through
raw httpx requests (no segctl client in between).

One row per documented behaviour; the comment above each row names the page or spec it comes
from (``help/...`` pages are AdobeDocs/experience-platform.en, ``*.yaml`` files are
AdobeDocs/experience-platform-apis ``static/swagger-specs``). A row builds its request from a
:class:`World` (a definition, a dataset, a finished segment job and export job) and checks the
answer with a plain function, so a failure names the row and the doc.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from .conftest import CATALOG, EXPORT, PROFILE, UPS, definition, wait

HEX24 = re.compile(r"^[0-9a-f]{24}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MS = 10**12  # epoch milliseconds are above this, epoch seconds far below


@dataclass
class World:
    """Objects the rows refer to, created through the API itself."""

    raw: httpx.Client
    segment: dict[str, Any]
    dataset_id: str
    segment_job: dict[str, Any]
    export_job: dict[str, Any]
    batch_id: str


def _finished(doc: dict[str, Any]) -> bool:
    return doc.get("status") in ("SUCCEEDED", "FAILED", "CANCELLED")


@pytest.fixture
def world(raw: httpx.Client) -> World:
    segment = raw.post(f"{UPS}/segment/definitions", json=definition("Women")).json()
    ref = raw.post(f"{CATALOG}/dataSets", json={
        "name": "export target",
        "schemaRef": {"id": "https://ns.adobe.com/xdm/context/profile__union",
                      "contentType": "application/vnd.adobe.xed+json;version=1"}}).json()
    dataset_id = ref[0].rsplit("/", 1)[1]
    job = raw.post(f"{UPS}/segment/jobs", json=[{"segmentId": segment["id"]}]).json()
    job = wait(raw, f"{UPS}/segment/jobs/{job['id']}", _finished)
    export = raw.post(f"{UPS}/export/jobs", json=_export_body(segment["id"], dataset_id)).json()
    export = wait(raw, f"{UPS}/export/jobs/{export['id']}", _finished)
    assert job["status"] == export["status"] == "SUCCEEDED"
    return World(raw, segment, dataset_id, job, export, export["destination"]["batchId"])


def _export_body(segment_id: str, dataset_id: str, **destination: Any) -> dict[str, Any]:
    return {"fields": "identities.id,personalEmail.address",
            "filter": {"segments": [{"segmentId": segment_id, "segmentNs": "ups",
                                     "status": ["realized", "existing"]}],
                       "segmentQualificationTime": {"startTime": "2018-01-01T00:00:00Z",
                                                    "endTime": "2030-01-01T00:00:00Z"}},
            "additionalFields": {"eventList": {"fields": "_id"}},
            "destination": {"datasetId": dataset_id, "segmentPerBatch": False, **destination},
            "schema": {"name": PROFILE}}


@dataclass(frozen=True)
class Row:
    name: str
    request: Callable[[World], httpx.Request]
    status: int
    check: Callable[[httpx.Response, World], None] = lambda response, world: None


def get(path: Callable[[World], str] | str, **params: Any) -> Callable[[World], httpx.Request]:
    return lambda w: w.raw.build_request(
        "GET", path(w) if callable(path) else path, params=params)


def send(method: str, path: Callable[[World], str] | str,
         body: Callable[[World], Any] | Any = None, **headers: str
         ) -> Callable[[World], httpx.Request]:
    def build(w: World) -> httpx.Request:
        payload = body(w) if callable(body) else body
        return w.raw.build_request(method, path(w) if callable(path) else path,
                                   json=payload, headers=headers)
    return build


# -- checks -----------------------------------------------------------------------------------
def is_definition(doc: dict[str, Any]) -> None:
    assert UUID.match(doc["id"]) and doc["profileInstanceId"] == "ups"
    assert set(doc["sandbox"]) == {"sandboxId", "sandboxName", "type", "default"}
    assert set(doc["evaluationInfo"]) == {"batch", "continuous", "synchronous"}
    assert all(isinstance(v["enabled"], bool) for v in doc["evaluationInfo"].values())
    assert doc["dataGovernancePolicy"] == {"excludeOptOut": True}
    assert doc["expression"]["type"] == "PQL" and isinstance(doc["expression"]["value"], str)
    assert isinstance(doc["mergePolicyId"], str) and doc["schema"] == {"name": PROFILE}
    assert doc["creationTime"] > MS and doc["updateTime"] > MS
    assert doc["updateEpoch"] == doc["updateTime"] // 1000  # seconds, not ms


def is_problem(status: int, code_pattern: str = r"UPAPI-\d+-\d+"
               ) -> Callable[[httpx.Response, World], None]:
    def check(response: httpx.Response, world: World) -> None:
        body = response.json()
        assert body["status"] == status and isinstance(body["title"], str)
        assert re.fullmatch(r"https://ns\.adobe\.com/aep/errors/" + code_pattern, body["type"])
        entries = body["errors"][str(status)]
        assert entries and all({"code", "message"} <= set(e) for e in entries)
        assert isinstance(body["requestId"], str) and body["requestId"]
    return check


def is_catalog_error(status: int, title: str, detail: str | None = None
                     ) -> Callable[[httpx.Response, World], None]:
    def check(response: httpx.Response, world: World) -> None:
        body = response.json()
        assert body["type"] == "/placeholder/type/uri"
        assert body["status"] == status and body["title"] == title
        assert isinstance(body["detail"], str)
        assert detail is None or body["detail"] == detail
    return check


def is_gateway(code: str) -> Callable[[httpx.Response, World], None]:
    def check(response: httpx.Response, world: World) -> None:
        body = response.json()
        assert body == {"error_code": code, "message": body["message"]}
        assert isinstance(body["message"], str)
    return check


def timing(block: dict[str, Any]) -> None:
    assert block["startTimeInMs"] > MS and block["endTimeInMs"] >= block["startTimeInMs"]
    assert block["totalTimeInMs"] == block["endTimeInMs"] - block["startTimeInMs"]


def check_definition_list(response: httpx.Response, world: World) -> None:
    body = response.json()
    assert set(body) == {"segments", "page", "link"}
    assert set(body["page"]) == {"totalCount", "totalPages", "sortField", "sort", "pageSize",
                                 "limit"}
    assert body["page"]["sortField"] == "creationTime" and body["page"]["sort"] == "desc"
    assert isinstance(body["link"], dict)
    for doc in body["segments"]:
        is_definition(doc)


def check_created_definition(response: httpx.Response, world: World) -> None:
    doc = response.json()
    is_definition(doc)
    assert response.headers["X-Location"].endswith(f"/segment/definitions/{doc['id']}")
    assert doc["name"] == "Men" and doc["description"] == ""


def check_patched_definition(response: httpx.Response, world: World) -> None:
    doc = response.json()
    is_definition(doc)  # the zeroed read-only timestamps were ignored
    assert doc["description"] == "edited" and doc["id"] == world.segment["id"]
    assert doc["creationTime"] == world.segment["creationTime"]
    assert response.headers["X-Location"].endswith(f"/segment/definitions/{doc['id']}")


def check_definition_delete(response: httpx.Response, world: World) -> None:
    body = response.json()
    assert body["status"] is True and isinstance(body["message"], str)


def check_empty(response: httpx.Response, world: World) -> None:
    assert response.content == b""


def check_bulk_get(response: httpx.Response, world: World) -> None:
    results = response.json()["results"]
    is_definition(results[world.segment["id"]])
    missing = results["00000000-0000-0000-0000-000000000000"]
    assert missing["errors"]["404"][0]["code"] == 404


def check_conversion(response: httpx.Response, world: World) -> None:
    body = response.json()
    # the definition sent, expression converted (segmentation.yaml's conversion example)
    assert set(body) == {"imsOrgId", "sandbox", "name", "schema", "description", "expression"}
    assert body["name"] == "x" and body["description"] == "d"
    assert body["expression"]["format"] == "pql/json"
    assert isinstance(body["expression"]["value"], str)  # escaped JSON text, not an object


def is_job_segment(entry: dict[str, Any], segment_id: str) -> None:
    assert entry["segmentId"] == segment_id
    inner = entry["segment"]
    assert inner["id"] == segment_id and inner["expression"]["type"] == "PQL"
    assert inner["mergePolicy"] == {"id": inner["mergePolicyId"], "version": 1}


def check_new_segment_job(response: httpx.Response, world: World) -> None:
    job = response.json()
    assert UUID.match(job["id"]) and job["status"] == "NEW" and job["source"] == "api"
    is_job_segment(job["segments"][0], world.segment["id"])
    assert set(job["metrics"]["totalTime"]) == {"startTimeInMs"}
    assert job["metrics"]["profileSegmentationTime"] == {}
    for link, method in (("cancel", "DELETE"), ("checkStatus", "GET")):
        assert job["_links"][link] == {"href": f"/segment/jobs/{job['id']}", "method": method}
    assert job["schema"] == {"name": PROFILE} and isinstance(job["computeJobId"], int)
    assert job["creationTime"] > MS and job["updateEpoch"] == job["updateTime"] // 1000


def check_all_segments_job(response: httpx.Response, world: World) -> None:
    assert response.json()["segments"] == [{"segmentId": "*"}]


def check_finished_segment_job(response: httpx.Response, world: World) -> None:
    job, sid = response.json(), world.segment["id"]
    metrics = job["metrics"]
    timing(metrics["totalTime"])
    timing(metrics["profileSegmentationTime"])
    assert isinstance(metrics["totalProfiles"], int) and metrics["totalProfiles"] > 0
    assert isinstance(metrics["segmentedProfileCounter"][sid], int)
    counts = metrics["segmentedProfileByStatusCounter"][sid]
    assert set(counts) == {"realized", "existing", "exited"}
    assert counts["realized"] + counts["existing"] == metrics["segmentedProfileCounter"][sid]
    assert set(metrics["totalProfilesByMergePolicy"]) == {world.segment["mergePolicyId"]}


def check_segment_job_list(response: httpx.Response, world: World) -> None:
    body = response.json()
    assert set(body) == {"_page", "children", "_links"}
    assert body["_page"] == {"totalCount": 1, "pageSize": 1}
    assert body["_links"] == {"next": {}}  # an empty object on the last page


def check_new_export_job(response: httpx.Response, world: World) -> None:
    job = response.json()
    assert isinstance(job["id"], int) and job["status"] == "NEW" and job["jobType"] == "BATCH"
    assert response.headers["X-Location"].endswith(f"/export/jobs/{job['id']}")
    dest = job["destination"]
    assert dest["datasetId"] == world.dataset_id and dest["segmentPerBatch"] is False
    assert re.fullmatch(r"[0-9a-f]{32}", dest["batchId"])  # assigned at create
    assert job["fields"] == "identities.id,personalEmail.address"  # a string, not a list
    assert job["filter"]["segments"] == [{"segmentId": world.segment["id"],
                                          "segmentNs": "ups",
                                          "status": ["realized", "existing"]}]
    assert job["filter"]["segmentQualificationTime"]["startTime"] == "2018-01-01T00:00:00Z"
    assert job["additionalFields"] == {"eventList": {"fields": "_id"}}
    assert job["mergePolicy"] == {"id": world.segment["mergePolicyId"], "version": 1}
    assert set(job["metrics"]["totalTime"]) == {"startTimeInMs"}
    assert job["computeGatewayJobId"] == {"exportJob": ""}
    assert job["creationTime"] > MS and job["updateTime"] > MS


def check_segment_per_batch(response: httpx.Response, world: World) -> None:
    dest = response.json()["destination"]
    assert "batchId" not in dest and dest["segmentPerBatch"] is True
    assert [set(b) for b in dest["batches"]] == [{"segmentId", "segmentNs", "status",
                                                  "batchId"}]


def check_finished_export_job(response: httpx.Response, world: World) -> None:
    job = response.json()
    timing(job["metrics"]["totalTime"])
    timing(job["metrics"]["profileExportTime"])
    assert isinstance(job["metrics"]["totalExportedProfileCounter"], int)
    assert isinstance(job["metrics"]["exportedProfileByNamespaceCounter"], dict)
    assert UUID.match(job["computeGatewayJobId"]["exportJob"])
    assert job["destination"]["batchId"] == world.batch_id


def check_export_list(response: httpx.Response, world: World) -> None:
    body = response.json()
    assert set(body) == {"records", "page", "link"}
    last = body["records"][-1]
    assert body["page"] == {"sortField": "createdTime", "sort": "desc", "pageSize": 1,
                            "pageOffset": f"{last['creationTime']}_{last['id']}"}
    assert isinstance(body["link"]["next"], str)  # a string, "" on the last page


def check_export_cancel(response: httpx.Response, world: World) -> None:
    assert response.json() == {"status": True,
                               "message": "Export job has been marked for cancelling"}


def check_dataset_create(response: httpx.Response, world: World) -> None:
    ref = response.json()
    assert isinstance(ref, list) and len(ref) == 1 and ref[0].startswith("@/dataSets/")
    dataset_id = ref[0].rsplit("/", 1)[1]
    assert HEX24.match(dataset_id)
    assert response.headers["Location"].endswith(f"/dataSets/{dataset_id}")


def check_dataset_get(response: httpx.Response, world: World) -> None:
    body = response.json()
    assert list(body) == [world.dataset_id]  # a one-entry map, not the bare object
    doc = body[world.dataset_id]
    assert doc["created"] > MS and doc["updated"] >= doc["created"]
    assert doc["files"] == f"@/dataSetFiles?dataSetId={world.dataset_id}"
    assert doc["lastBatchId"] == world.batch_id and doc["lastBatchStatus"] == "success"


def check_dataset_list(response: httpx.Response, world: World) -> None:
    assert response.json() == {world.dataset_id: {"name": "export target"}}


def check_batch_files(response: httpx.Response, world: World) -> None:
    body = response.json()
    assert body["_page"] == {"limit": 100, "count": len(body["data"])} and body["data"]
    for entry in body["data"]:
        assert {"dataSetFileId", "dataSetViewId", "version", "created", "updated", "isValid",
                "records", "size", "_links"} <= set(entry)
        assert entry["_links"]["self"]["href"].endswith(f"/files/{entry['dataSetFileId']}")
        assert entry["records"].isdigit() and entry["size"].isdigit()  # strings in the spec


def check_file_entries(response: httpx.Response, world: World) -> None:
    body = response.json()
    (entry,) = body["data"]
    assert entry["length"].isdigit()  # a string in the spec
    assert entry["_links"]["self"]["href"].endswith(f"?path={entry['name']}")


def check_preview_create(response: httpx.Response, world: World) -> None:
    body = response.json()
    assert set(body) == {"state", "previewQueryId", "previewQueryStatus", "previewId",
                         "previewExecutionId"}
    assert body["state"] == "NEW" and body["previewExecutionId"] == 0
    assert response.headers["X-Location"].endswith(f"/preview/{body['previewId']}")


def check_underscore_list(response: httpx.Response, world: World) -> None:
    body = response.json()
    assert {"totalCount", "pageSize"} <= set(body["_page"])
    assert isinstance(body["children"], list) and isinstance(body["_links"]["next"], dict)


def check_request_id_echoed(response: httpx.Response, world: World) -> None:
    assert response.json()["requestId"] == "fidelity-trace-1"


def _first_file(w: World) -> str:
    listing = w.raw.get(f"{EXPORT}/batches/{w.batch_id}/files").json()
    return str(listing["data"][0]["dataSetFileId"])


def _no_header(name: str) -> Callable[[World], httpx.Request]:
    def build(w: World) -> httpx.Request:
        request = w.raw.build_request("GET", f"{UPS}/segment/definitions")
        del request.headers[name]
        return request
    return build


MISSING = "00000000-0000-0000-0000-000000000000"
SEG = f"{UPS}/segment/definitions"

ROWS = [
    # help/segmentation/api/segment-definitions.md#list; segmentation.yaml listSegmentDefinitions
    Row("definitions list", get(SEG, limit=2), 200, check_definition_list),
    # help/segmentation/api/segment-definitions.md#create: 200 (not 201) + X-Location header
    Row("definition create", send("POST", SEG, definition("Men", 'person.gender = "male"')), 200,
        check_created_definition),
    # segmentation.yaml createSegmentDefinition: 422 "already exists"
    Row("definition duplicate name", send("POST", SEG, definition("Women")), 422,
        is_problem(422)),
    # segmentation.yaml createSegmentDefinition: 400 invalid definition
    Row("definition without expression", send("POST", SEG, {"name": "x"}), 400, is_problem(400)),
    # help/segmentation/api/segment-definitions.md#get
    Row("definition get", get(lambda w: f"{SEG}/{w.segment['id']}"), 200,
        lambda r, w: is_definition(r.json())),
    # segmentation.yaml retrieveSegmentDefinitionById 404; problem shape as the audiences 404
    Row("definition get unknown", get(f"{SEG}/{MISSING}"), 404, is_problem(404)),
    # help/segmentation/api/segment-definitions.md (PATCH: whole object, timestamps zeroed)
    Row("definition patch", send("PATCH", lambda w: f"{SEG}/{w.segment['id']}",
                                 lambda w: {**w.segment, "description": "edited",
                                            "creationTime": 0, "updateTime": 0,
                                            "updateEpoch": 0}), 200,
        check_patched_definition),
    # help/segmentation/api/segment-definitions.md#bulk-get: 207; a missing id as in the
    # segmentation.yaml audiences bulk-get example ("One audience was not found")
    Row("definitions bulk-get", send("POST", f"{SEG}/bulk-get", lambda w: {
        "ids": [{"id": w.segment["id"]}, {"id": MISSING}]}), 207, check_bulk_get),
    # pql-conversions.md, segmentation.yaml convertSegmentDefinition (the sent fields back)
    Row("definition conversion", send("POST", f"{UPS}/segment/conversion",
                                      definition("x", description="d")), 200, check_conversion),
    # segmentation.yaml deleteSegmentDefinition: 200 MessageResponse {status, message}
    Row("definition delete", send("DELETE", lambda w: f"{SEG}/{w.segment['id']}"), 200,
        check_definition_delete),
    # help/segmentation/api/segment-jobs.md#create (array body); status NEW on create
    Row("segment job create", send("POST", f"{UPS}/segment/jobs",
                                   lambda w: [{"segmentId": w.segment["id"]}]), 200,
        check_new_segment_job),
    # help/segmentation/api/segment-jobs.md#create, "more than 1500 segments" object form
    Row("segment job for all", send("POST", f"{UPS}/segment/jobs", {
        "schema": {"name": PROFILE}, "segments": [{"segmentId": "*"}]}), 200,
        check_all_segments_job),
    # help/segmentation/api/segment-jobs.md#get; segmentation.yaml SegmentJob.metrics
    Row("segment job finished", get(lambda w: f"{UPS}/segment/jobs/{w.segment_job['id']}"),
        200, check_finished_segment_job),
    # help/segmentation/api/segment-jobs.md#retrieve-list
    Row("segment jobs list", get(f"{UPS}/segment/jobs", status="SUCCEEDED"), 200,
        check_segment_job_list),
    # segmentation.yaml deleteSegmentJob: 204 (the doc page shows a body; the spec none)
    Row("segment job cancel", send("DELETE",
                                   lambda w: f"{UPS}/segment/jobs/{w.segment_job['id']}"), 204,
        check_empty),
    # segmentation.yaml retrieveSegmentJob 404
    Row("segment job unknown", get(f"{UPS}/segment/jobs/{MISSING}"), 404, is_problem(404)),
    # help/segmentation/api/export-jobs.md#create; segmentation.yaml ExportJobResponse
    Row("export job create", send("POST", f"{UPS}/export/jobs",
                                  lambda w: _export_body(w.segment["id"], w.dataset_id)), 200,
        check_new_export_job),
    # help/segmentation/api/export-jobs.md#create: segmentPerBatch true -> destination.batches[]
    Row("export job per batch", send("POST", f"{UPS}/export/jobs", lambda w: _export_body(
        w.segment["id"], w.dataset_id, segmentPerBatch=True)), 200, check_segment_per_batch),
    # help/segmentation/api/export-jobs.md: destination.datasetId and schema.name required
    Row("export job without destination", send("POST", f"{UPS}/export/jobs",
                                               {"schema": {"name": PROFILE}}), 400,
        is_problem(400)),
    Row("export job without schema", send("POST", f"{UPS}/export/jobs", lambda w: {
        "destination": {"datasetId": w.dataset_id}}), 400, is_problem(400)),
    # help/segmentation/api/export-jobs.md#get (metrics.profileExportTime, totalExported...)
    Row("export job finished", get(lambda w: f"{UPS}/export/jobs/{w.export_job['id']}"), 200,
        check_finished_export_job),
    # help/segmentation/api/export-jobs.md#retrieve-list; segmentation.yaml
    # GetExportJobsResponse (pageOffset = creation time and id of the page's last record)
    Row("export jobs list", get(f"{UPS}/export/jobs", limit=1), 200, check_export_list),
    # segmentation.yaml cancelExportJob: 200 CancelExportJobResponse (doc page: 204)
    Row("export job cancel", send("DELETE",
                                  lambda w: f"{UPS}/export/jobs/{w.export_job['id']}"), 200,
        check_export_cancel),
    # help/catalog/api/create-dataset.md: 201, ["@/dataSets/<id>"], Location
    Row("dataset create", send("POST", f"{CATALOG}/dataSets", {"name": "another"}), 201,
        check_dataset_create),
    # help/catalog/api/look-up-object.md: GET by id answers a one-entry map
    Row("dataset get", get(lambda w: f"{CATALOG}/dataSets/{w.dataset_id}"), 200,
        check_dataset_get),
    # help/catalog/api/filter-data.md: name filter and properties projection
    Row("datasets list", get(f"{CATALOG}/dataSets", name="export target", properties="name"),
        200, check_dataset_list),
    # help/catalog/api/filter-data.md: "Invalid limit parameters (including limit=0) result in
    # 400-level error responses"; Catalog's error body is the placeholder shape (AEP-API §4)
    Row("datasets limit 0", get(f"{CATALOG}/dataSets", limit=0), 400,
        is_catalog_error(400, "BadRequestError")),
    Row("datasets limit 101", get(f"{CATALOG}/dataSets", limit=101), 400,
        is_catalog_error(400, "BadRequestError")),
    Row("datasets bad start", get(f"{CATALOG}/dataSets", start="x"), 400,
        is_catalog_error(400, "BadRequestError")),
    # help/catalog/api/look-up-object.md (404 NotFoundError, "DataSet not found.")
    Row("dataset unknown", get(f"{CATALOG}/dataSets/{'0' * 24}"), 404,
        is_catalog_error(404, "NotFoundError", "DataSet not found.")),
    # help/data-access/api.md (files of a batch); data-access.yaml dataSetFiles (records, size)
    Row("batch files", get(lambda w: f"{EXPORT}/batches/{w.batch_id}/files"), 200,
        check_batch_files),
    # help/data-access/api.md (single file response)
    Row("file entries", get(lambda w: f"{EXPORT}/files/{_first_file(w)}"), 200,
        check_file_entries),
    # help/segmentation/api/previews-and-estimates.md; segmentation.yaml createPreview 201
    Row("preview create", send("POST", f"{UPS}/preview", {
        "predicateExpression": 'person.gender = "male"', "predicateType": "pql/text",
        "predicateModel": PROFILE, "graphType": "none"}), 201, check_preview_create),
    # help/profile/api/merge-policies.md (list: _page, children, _links)
    Row("merge policies list", get(f"{UPS}/config/mergePolicies"), 200, check_underscore_list),
    # help/segmentation/api/schedules.md (list: _page, children, _links)
    Row("schedules list", get(f"{UPS}/config/schedules"), 200, check_underscore_list),
    # help/landing/troubleshooting.md, request header errors (gateway shape, code a string)
    Row("no token", _no_header("Authorization"), 403, is_gateway("403010")),
    Row("no api key", _no_header("x-api-key"), 403, is_gateway("403000")),
    Row("no org", _no_header("x-gw-ims-org-id"), 400, is_gateway("400003")),
    # help/landing/troubleshooting.md: a missing Content-Type (placeholder shape, AEP-API §4)
    Row("no content type", lambda w: w.raw.build_request(
        "POST", f"{CATALOG}/dataSets", content=b'{"name": "x"}',
        headers={"content-type": "text/plain"}), 400, is_catalog_error(400, "BadRequestError")),
    # segmentation.yaml x-request-id ("used to track a request"): the error names it
    Row("request id in errors", lambda w: w.raw.build_request(
        "GET", f"{SEG}/{MISSING}", headers={"x-request-id": "fidelity-trace-1"}), 404,
        check_request_id_echoed),
]


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_documented_shape(row: Row, world: World) -> None:
    response = world.raw.send(row.request(world))
    assert response.status_code == row.status, response.text
    row.check(response, world)

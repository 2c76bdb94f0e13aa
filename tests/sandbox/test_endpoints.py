"""Shapes and status codes of each endpoint family (AEP-API §5-§11), in-process."""

from __future__ import annotations

import json

import httpx
import pytest

from segctl import pql
from tests.sandbox.conftest import CATALOG, ORG, UPS, definition, wait_job

FEMALE = 'person.gender = "female"'


def _seg(local: httpx.Client, name: str, text: str = FEMALE) -> dict:
    response = local.post(f"{UPS}/segment/definitions", json=definition(name, text))
    assert response.status_code == 200, response.text
    return response.json()


# -- segment definitions -------------------------------------------------------------------
def test_create_get_and_server_fields(local: httpx.Client) -> None:
    response = local.post(f"{UPS}/segment/definitions", json=definition("A", FEMALE))
    assert response.status_code == 200
    doc = response.json()
    assert response.headers["X-Location"].endswith(f"/segment/definitions/{doc['id']}")
    assert doc["imsOrgId"] == ORG and doc["sandbox"]["sandboxName"] == "prod"
    assert doc["evaluationInfo"]["batch"]["enabled"] in (True, False)
    assert set(doc["evaluationInfo"]) == {"batch", "continuous", "synchronous"}
    assert doc["creationTime"] > 10**12 and doc["updateEpoch"] == doc["updateTime"] // 1000
    policy = local.get(f"{UPS}/config/mergePolicies/{doc['mergePolicyId']}").json()
    assert policy["default"] is True
    assert local.get(f"{UPS}/segment/definitions/{doc['id']}").json() == doc


def test_duplicate_name_is_422_and_bad_pql_is_400_with_position(local: httpx.Client) -> None:
    _seg(local, "A")
    dup = local.post(f"{UPS}/segment/definitions", json=definition("A", FEMALE))
    assert dup.status_code == 422
    assert dup.json()["status"] == 422 and "422" in dup.json()["errors"]
    bad = local.post(f"{UPS}/segment/definitions", json=definition("B", 'person.gender = '))
    assert bad.status_code == 400
    entry = bad.json()["errors"]["400"][0]
    assert entry["position"]["line"] == 1 and entry["position"]["column"] >= 1
    missing = local.post(f"{UPS}/segment/definitions", json={"name": "C"})
    assert missing.status_code == 400


def test_unknown_method_is_400_with_position_on_create_and_patch(local: httpx.Client) -> None:
    """AEP refuses a rule calling an unknown function; it used to be stored, then fail the job."""
    bad = local.post(f"{UPS}/segment/definitions",
                     json=definition("B", "person.name.bogus(1) = 2"))
    assert bad.status_code == 400
    entry = bad.json()["errors"]["400"][0]
    assert entry["message"] == "Invalid PQL at line 1, column 13: unknown method .bogus()"
    assert entry["position"] == {"line": 1, "column": 13}
    doc = _seg(local, "A")
    patch = local.patch(f"{UPS}/segment/definitions/{doc['id']}", json={"expression": {
        "type": "PQL", "format": "pql/text", "value": "inSegment(42)"}})
    assert patch.status_code == 400
    assert "inSegment() takes a segment id string" in patch.json()["errors"]["400"][0]["message"]
    assert local.get(f"{UPS}/segment/definitions/{doc['id']}").json()["expression"] == \
        doc["expression"]


def test_patch_merges_and_rederives(local: httpx.Client) -> None:
    doc = _seg(local, "A")
    response = local.patch(f"{UPS}/segment/definitions/{doc['id']}",
                           json={"description": "new", "id": "ignored", "creationTime": 0})
    assert response.status_code == 200
    patched = response.json()
    assert patched["description"] == "new" and patched["id"] == doc["id"]
    assert patched["name"] == "A" and patched["creationTime"] == doc["creationTime"]
    _seg(local, "B")
    clash = local.patch(f"{UPS}/segment/definitions/{doc['id']}", json={"name": "B"})
    assert clash.status_code == 422
    assert local.patch(f"{UPS}/segment/definitions/nope", json={}).status_code == 404


def test_list_paging(local: httpx.Client) -> None:
    for i in range(5):
        _seg(local, f"S{i}")
    page0 = local.get(f"{UPS}/segment/definitions", params={"limit": 2}).json()
    assert [s["name"] for s in page0["segments"]] == ["S4", "S3"]
    assert page0["page"] == {"totalCount": 5, "totalPages": 3, "sortField": "creationTime",
                             "sort": "desc", "pageSize": 2, "limit": 2}
    assert "page=1" in page0["link"]["next"]
    last = local.get(f"{UPS}/segment/definitions", params={"limit": 2, "page": 2}).json()
    assert [s["name"] for s in last["segments"]] == ["S0"] and last["link"] == {}
    by_name = local.get(f"{UPS}/segment/definitions", params={"sort": "name:asc"}).json()
    assert [s["name"] for s in by_name["segments"]] == ["S0", "S1", "S2", "S3", "S4"]


def test_delete_bulk_get_and_in_use(local: httpx.Client) -> None:
    a = _seg(local, "A")
    b = _seg(local, "B", f'inSegment("{a["id"]}")')
    in_use = local.delete(f"{UPS}/segment/definitions/{a['id']}")
    assert in_use.status_code == 400
    bulk = local.post(f"{UPS}/segment/definitions/bulk-get",
                      json={"ids": [{"id": a["id"]}, {"id": "missing"}]})
    assert bulk.status_code == 207
    assert bulk.json()["results"][a["id"]]["name"] == "A"
    assert bulk.json()["results"]["missing"]["status"] == 404
    assert local.delete(f"{UPS}/segment/definitions/{b['id']}").status_code == 200
    assert local.delete(f"{UPS}/segment/definitions/{a['id']}").status_code == 200
    assert local.get(f"{UPS}/segment/definitions/{a['id']}").status_code == 404


def test_conversion_both_ways(local: httpx.Client) -> None:
    to_json = local.post(f"{UPS}/segment/conversion", json=definition("x", FEMALE))
    assert to_json.status_code == 200
    expr = to_json.json()["expression"]
    assert expr["format"] == "pql/json" and isinstance(expr["value"], str)
    json.loads(expr["value"])
    back = local.post(f"{UPS}/segment/conversion", json={
        "name": "x", "schema": {"name": "_xdm.context.profile"}, "expression": expr})
    assert back.json()["expression"]["format"] == "pql/text"
    assert pql.canonical(back.json()["expression"]["value"]) == pql.canonical(FEMALE)
    assert back.json()["name"] == "x"  # the definition sent comes back (segmentation.yaml)


# -- segment jobs ---------------------------------------------------------------------------
def test_segment_job_limits_and_forms(local: httpx.Client) -> None:
    seg = _seg(local, "A")
    too_many = local.post(f"{UPS}/segment/jobs", json=[{"segmentId": seg["id"]}] * 21)
    assert too_many.status_code == 400
    unknown = local.post(f"{UPS}/segment/jobs", json=[{"segmentId": "nope"}])
    assert unknown.status_code == 400
    star = local.post(f"{UPS}/segment/jobs", json={
        "schema": {"name": "_xdm.context.profile"}, "segments": [{"segmentId": "*"}]})
    assert star.status_code == 200 and star.json()["segments"] == [{"segmentId": "*"}]
    done = wait_job(local, f"{UPS}/segment/jobs/{star.json()['id']}")
    assert done["status"] == "SUCCEEDED"
    assert set(done["metrics"]["segmentedProfileCounter"]) == {seg["id"]}
    listing = local.get(f"{UPS}/segment/jobs", params={"status": "SUCCEEDED"}).json()
    assert listing["_page"]["totalCount"] == 1 and listing["_links"] == {"next": {}}
    bulk = local.post(f"{UPS}/segment/jobs/bulk-get", json={"ids": [{"id": done["id"]}]})
    assert bulk.status_code == 207


def test_segment_job_cancel(local: httpx.Client, sandbox) -> None:
    seg = _seg(local, "A")
    job = local.post(f"{UPS}/segment/jobs", json=[{"segmentId": seg["id"]}]).json()
    response = local.delete(f"{UPS}/segment/jobs/{job['id']}")
    assert response.status_code == 204
    final = wait_job(local, f"{UPS}/segment/jobs/{job['id']}")
    assert final["status"] in ("CANCELLED", "SUCCEEDED")  # the worker may have been faster
    assert local.delete(f"{UPS}/segment/jobs/unknown").status_code == 404


# -- export jobs ----------------------------------------------------------------------------
def test_export_job_validation(local: httpx.Client) -> None:
    base = {"schema": {"name": "_xdm.context.profile"}}
    assert local.post(f"{UPS}/export/jobs", json=base).status_code == 400
    missing = local.post(f"{UPS}/export/jobs",
                         json={**base, "destination": {"datasetId": "0" * 24}})
    assert missing.status_code == 422 and "does not exist" in missing.json()["title"]
    did = local.post(f"{CATALOG}/dataSets", json={"name": "d"}).json()[0].rsplit("/", 1)[1]
    no_schema = local.post(f"{UPS}/export/jobs", json={"destination": {"datasetId": did}})
    assert no_schema.status_code == 400


def test_export_job_list_and_status_filter(local: httpx.Client) -> None:
    did = local.post(f"{CATALOG}/dataSets", json={"name": "d"}).json()[0].rsplit("/", 1)[1]
    body = {"destination": {"datasetId": did}, "schema": {"name": "_xdm.context.profile"},
            "fields": "_id"}
    ids = [local.post(f"{UPS}/export/jobs", json=body).json()["id"] for _ in range(3)]
    assert ids == sorted(ids) and len(set(ids)) == 3
    for jid in ids:
        wait_job(local, f"{UPS}/export/jobs/{jid}")
    first = local.get(f"{UPS}/export/jobs", params={"limit": 2}).json()
    assert [r["id"] for r in first["records"]] == [ids[2], ids[1]]
    assert first["page"]["sortField"] == "createdTime" and first["link"]["next"]
    offset = first["page"]["pageOffset"]
    rest = local.get(f"{UPS}/export/jobs", params={"limit": 2, "offset": offset}).json()
    assert [r["id"] for r in rest["records"]] == [ids[0]] and rest["link"]["next"] == ""
    assert local.get(f"{UPS}/export/jobs", params={"status": "FAILED"}).json()["records"] == []


# -- Catalog ----------------------------------------------------------------------------------
def test_catalog_dataset_shapes(local: httpx.Client) -> None:
    created = local.post(f"{CATALOG}/dataSets", json={
        "name": "Female customers", "tags": {"managedBy": ["segments-as-code"]}})
    assert created.status_code == 201
    ref = created.json()
    assert isinstance(ref, list) and ref[0].startswith("@/dataSets/")
    did = ref[0].rsplit("/", 1)[1]
    assert len(did) == 24 and int(did, 16) >= 0
    assert created.headers["Location"].endswith(did)
    got = local.get(f"{CATALOG}/dataSets/{did}").json()
    assert list(got) == [did] and got[did]["name"] == "Female customers"
    local.post(f"{CATALOG}/dataSets", json={"name": "Other"})
    by_name = local.get(f"{CATALOG}/dataSets", params={"name": "Female customers",
                                                      "properties": "name,tags"}).json()
    assert by_name == {did: {"name": "Female customers",
                             "tags": {"managedBy": ["segments-as-code"],
                                      "adobe/pqs/table": ["female_customers"],
                                      "adobe/siphon/table/format": ["parquet"]}}}
    # catalog.yaml dataSet: Catalog adds classification (aepp's getDataSets reads it)
    assert got[did]["classification"] == {"dataBehavior": "record", "managedBy": "CUSTOMER"}
    assert len(local.get(f"{CATALOG}/dataSets", params={"name": "*"}).json()) == 2
    assert list(local.get(f"{CATALOG}/dataSets", params={"tags": "managedBy:*"}).json()) == [did]
    assert list(local.get(f"{CATALOG}/dataSets",
                          params={"property": "name~^Fem"}).json()) == [did]
    assert len(local.get(f"{CATALOG}/dataSets", params={"limit": 1}).json()) == 1
    assert len(local.get(f"{CATALOG}/dataSets", params={"limit": 1, "start": 1}).json()) == 1
    for bad in ("0", "101"):
        assert local.get(f"{CATALOG}/dataSets", params={"limit": bad}).status_code == 400
    missing = local.get(f"{CATALOG}/dataSets/{'0' * 24}")
    assert missing.status_code == 404 and missing.json()["title"] == "NotFoundError"
    assert local.patch(f"{CATALOG}/dataSets/{did}", json=[
        {"op": "add", "path": "/tags/owner", "value": ["me"]}]).json() == ref
    assert local.get(f"{CATALOG}/dataSets/{did}").json()[did]["tags"]["owner"] == ["me"]
    assert local.delete(f"{CATALOG}/dataSets/{did}").json() == ref


def test_content_type_is_required(local: httpx.Client) -> None:
    response = local.post(f"{CATALOG}/dataSets", content=b'{"name": "x"}',
                          headers={"content-type": "text/plain"})
    assert response.status_code == 400
    assert response.json()["detail"] == "A valid content-type must be specified"


# -- merge policies, schedules, preview -------------------------------------------------------
def test_one_seeded_default_merge_policy(local: httpx.Client) -> None:
    listing = local.get(f"{UPS}/config/mergePolicies").json()
    assert listing["_page"]["totalCount"] == 1
    policy = listing["children"][0]
    assert policy["default"] is True and policy["schema"]["name"] == "_xdm.context.profile"
    assert policy["attributeMerge"]["type"] == "timestampOrdered"
    again = local.get(f"{UPS}/config/mergePolicies").json()
    assert again["children"][0]["id"] == policy["id"]


def test_schedules(local: httpx.Client) -> None:
    hourly = local.post(f"{UPS}/config/schedules", json={
        "name": "n", "type": "batch_segmentation", "properties": {"segments": ["*"]},
        "schedule": "0 0 * * * ?"})
    assert hourly.status_code == 400
    created = local.post(f"{UPS}/config/schedules", json={
        "name": "daily", "type": "batch_segmentation", "properties": {"segments": ["*"]},
        "schedule": "0 0 1 * * ?", "state": "inactive"})
    assert created.status_code == 200
    sid = created.json()["id"]
    patched = local.patch(f"{UPS}/config/schedules/{sid}",
                          json=[{"op": "add", "path": "/state", "value": "active"}])
    assert patched.status_code == 204 and patched.content == b""
    assert local.get(f"{UPS}/config/schedules/{sid}").json()["state"] == "active"
    listing = local.get(f"{UPS}/config/schedules").json()
    # the sandbox's own "Batch Segmentation" schedule (schedules.md list example) comes first
    assert listing["_page"]["totalCount"] == 2 and listing["_links"]["next"] == {}
    system, mine = listing["children"]
    assert {k: system[k] for k in ("name", "state", "type", "schedule", "properties")} == {
        "name": "Batch Segmentation", "state": "active", "type": "batch_segmentation",
        "schedule": "0 0 1 * * ?", "properties": {"segments": []}}
    assert mine["id"] == sid and not any(k.startswith("__") for k in mine)
    assert local.delete(f"{UPS}/config/schedules/{sid}").status_code == 204


def test_preview_and_estimate(local: httpx.Client) -> None:
    created = local.post(f"{UPS}/preview", json={
        "predicateExpression": FEMALE, "predicateType": "pql/text",
        "predicateModel": "_xdm.context.profile", "graphType": "none"})
    assert created.status_code == 201 and created.json()["state"] == "NEW"
    pid = created.json()["previewId"]
    done = wait_job(local, f"{UPS}/preview/{pid}")
    assert done["state"] == "RESULT_READY" and done["results"]
    estimate = local.get(f"{UPS}/estimate/{pid}").json()
    assert estimate["profilesMatchedSoFar"] > 0 and estimate["state"] == "RESULT_READY"
    assert local.delete(f"{UPS}/preview/{pid}").json() == {"status": True, "message": "KILLED"}
    bad = local.post(f"{UPS}/preview",
                     json={"predicateExpression": "((", "predicateType": "pql/text"})
    assert bad.status_code == 400


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/data/core/ups/nothing-here", 404),
    ("PUT", f"{UPS}/segment/jobs", 405),
])
def test_unknown_routes(local: httpx.Client, method: str, path: str, status: int) -> None:
    assert local.request(method, path).status_code == status


def test_merge_policy_create_patch_put_bulk_get_delete(local: httpx.Client) -> None:
    seeded = local.get(f"{UPS}/config/mergePolicies").json()["children"][0]
    created = local.post(f"{UPS}/config/mergePolicies", json={
        "name": "pdg", "schema": {"name": "_xdm.context.profile"},
        "identityGraph": {"type": "pdg"}, "attributeMerge": {"type": "timestampOrdered"},
        "default": True})
    assert created.status_code == 200
    new = created.json()
    listing = local.get(f"{UPS}/config/mergePolicies", params={"default": "true"}).json()
    assert [p["id"] for p in listing["children"]] == [new["id"]]  # the old default was unset
    patched = local.patch(f"{UPS}/config/mergePolicies/{new['id']}",
                          json=[{"op": "add", "path": "/name", "value": "renamed"}])
    assert patched.status_code == 200 and patched.json()["name"] == "renamed"
    assert patched.json()["version"] == 2
    bad = local.patch(f"{UPS}/config/mergePolicies/{new['id']}",
                      json=[{"op": "remove", "path": "/name"}])
    assert bad.status_code == 400
    put = local.put(f"{UPS}/config/mergePolicies/{new['id']}", json={
        "name": "replaced", "schema": {"name": "_xdm.context.profile"},
        "identityGraph": {"type": "none"}, "attributeMerge": {"type": "timestampOrdered"}})
    assert put.json()["identityGraph"] == {"type": "none"} and put.json()["default"] is False
    bulk = local.post(f"{UPS}/config/mergePolicies/bulk-get",
                      json={"ids": [{"id": seeded["id"]}, {"id": new["id"]}]})
    assert bulk.status_code == 207 and set(bulk.json()["results"]) == {seeded["id"], new["id"]}
    assert local.delete(f"{UPS}/config/mergePolicies/{seeded['id']}").status_code == 400
    assert local.delete(f"{UPS}/config/mergePolicies/{new['id']}").status_code == 200


def test_catalog_name_filter_escapes_and_negation(local: httpx.Client) -> None:
    star = local.post(f"{CATALOG}/dataSets", json={"name": "a*b"}).json()[0].rsplit("/", 1)[1]
    local.post(f"{CATALOG}/dataSets", json={"name": "axxb"})
    assert list(local.get(f"{CATALOG}/dataSets", params={"name": "a**b"}).json()) == [star]
    assert len(local.get(f"{CATALOG}/dataSets", params={"name": "a*b"}).json()) == 2
    assert list(local.get(f"{CATALOG}/dataSets", params={"name": "!axxb"}).json()) == [star]
    assert len(local.get(f"{CATALOG}/dataSets", params={"name": "a*b,axxb"}).json()) == 2

"""The audiences API of the local sandbox against Adobe's spec, field by field, over raw HTTP.

``audience_example_shapes.json`` holds the field names and JSON types of every example of the
``/audiences`` operations in ``segmentation.yaml`` (extracted by ``python -m
segctl.sandbox.coverage --extract``; the source commit is in the file). Each example is matched
with an answer of the sandbox: every field of the example must be there with the same JSON
type, and every field the sandbox adds must be one the docs or the schema name. The documented
departures (the spec's examples disagree with its own schema) are listed below and in
FIDELITY.md. Behaviour beyond shapes (filters, paging, one store with the definitions, the
seeded audiences of other origins, dependencies, metrics) follows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import CATALOG, PROFILE, UPS, definition, wait

SHAPES = json.loads((Path(__file__).parent / "audience_example_shapes.json").read_text())
AUD = f"{UPS}/audiences"
# where the spec's examples disagree with its own schema and with audiences.md, the sandbox
# follows the schema and the docs: example key -> the key answered instead
RENAMED = {"lifecycle": "lifecycleState",  # schema and docs: lifecycleState
           "_pages": "_page",              # schema (AudiencesList) and docs: _page
           "lifecycleStatus": "lifecycleState"}  # one bulk-get example's typo
# fields the sandbox answers beyond an example, each named by the schema or the docs
EXTRA = {
    "ttlInDays": "audiences.md: create body and every Platform audience response",
    "originName": "PlatformGeneratedAudience / ExternallyGeneratedAudience schemas, docs",
    "metrics": "AudiencesListWithMetrics example: the last evaluation's counts",
    "createdBy": "both schemas", "labels": "both schemas", "lifecycleState": "both schemas",
    "totalPages": "AudiencesList schema _page", "sortField": "AudiencesList schema _page",
    "sort": "AudiencesList schema _page", "limit": "AudiencesList schema _page",
    "start": "AudiencesList schema _page", "description": "both schemas",
    "linkedAudienceRef": "both schemas (external)", "audienceMeta": "docs (external)",
    "dependents": "PlatformGeneratedAudience schema", "dependencies": "same",
    "definedOn": "same", "overridePerformanceWarnings": "same", "profileInstanceId": "same",
    "namespace": "both schemas", "_etag": "both schemas",
}
# example fields the sandbox does not emulate, and why
NOT_EMULATED = {
    "ansibleUiEnabled": "only in one bulk-get example, in no schema",
    "state": "only in one bulk-get example (\"enabled\"), in no schema",
    "lastModifiedBy": "only in one bulk-get example, in no schema",
    "saveSegmentMembership": "only in the bulk-get examples, in no schema",
    "sourceId": "only in the bulk-get examples (\"source-id\"), in no schema",
}
# objects whose keys are data (namespaces, statuses, ids): each value is checked against the
# example's values, whatever its key (audienceMeta: "metadata that belongs to the external
# audience"; linkedAudienceRef: one of flowId, aoWorkflowId, payloadFieldGroupRef,
# audienceFolderId, audiences.md)
FREE_KEYS = {"totalProfilesByNamespace", "totalProfilesByStatus", "results", "errors",
             "audienceMeta", "linkedAudienceRef"}
# examples with no sandbox counterpart
NO_COUNTERPART = {
    "listAudiences 403 Organization not enabled for audiences": "every sandbox has audiences",
    "listAudiences 403 Attribute Based Access Control validation error": "no ABAC locally",
    "deleteAudience 403 Could not re-write audience status": "no ABAC locally",
    "updateAudience 500 Validation error": "no field-level access control locally",
    "components CreatePlatformAudienceRequestBody": "a request body: the world sends it",
    "components CreateExternalAudienceRequestBody": "a request body: the world sends it",
    "components UpdateAudienceName": "a request body: the PUT rows send it",
    "components UpdateAudiencePQL": "a request body: the PUT and PATCH rows send it",
    "updateAudience 404 Audience not found": "same answer as getAudience 404 (checked)",
    "patchAudience 404 Audience not found": "same answer as getAudience 404 (checked)",
    "deleteAudience 404 Audience not found": "same answer as getAudience 404 (checked)",
}


def conforms(actual: Any, expected: Any, path: str = "$") -> list[str]:
    """Where ``actual`` departs from the example shape ``expected`` (empty when it conforms)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {type(actual).__name__}"]
        if path.rsplit(".", 1)[-1] in FREE_KEYS:
            values = list(expected.values())
            return [p for key, value in actual.items()
                    for p in _best(value, values, f"{path}.{key}")] if values else []
        problems = []
        for key, sub in expected.items():
            if key in NOT_EMULATED:
                continue
            answered = RENAMED.get(key, key)
            if answered not in actual:
                problems.append(f"{path}.{key}: missing")
                continue
            problems += conforms(actual[answered], sub, f"{path}.{answered}")
        answered_keys = {RENAMED.get(k, k) for k in expected}
        problems += [f"{path}.{key}: not in the example, not documented as an extra"
                     for key in actual if key not in answered_keys and key not in EXTRA]
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{path}: expected an array, got {type(actual).__name__}"]
        if not expected:
            return []
        return [p for i, item in enumerate(actual) for p in _best(item, expected,
                                                                  f"{path}[{i}]")]
    kinds = {"string": str, "integer": int, "boolean": bool, "number": (int, float)}
    wanted = kinds.get(expected)
    if wanted is None:
        return []
    if isinstance(actual, bool) and expected != "boolean":
        return [f"{path}: expected {expected}, got boolean"]
    return [] if isinstance(actual, wanted) else [
        f"{path}: expected {expected}, got {type(actual).__name__} ({actual!r})"]


def _best(actual: Any, shapes: list[Any], path: str) -> list[str]:
    """The problems against the example item ``actual`` is closest to (a list may mix a
    Platform and an external audience)."""
    return min((conforms(actual, s, path) for s in shapes), key=len)


@dataclass
class World:
    raw: httpx.Client
    platform: dict[str, Any]  # the create answer
    external: dict[str, Any]
    orchestrated: dict[str, Any]  # an Audience Orchestration audience, as in bulk-get
    dataset_id: str


def _platform_body(name: str = "People who ordered in the last 30 days") -> dict[str, Any]:
    """The spec's CreatePlatformAudienceRequestBody example, field for field."""
    return {"name": name, "profileInstanceId": "ups",
            "description": "This audience is generated to see people who ordered.",
            "type": "SegmentDefinition",
            "expression": {"type": "PQL", "format": "pql/text",
                           "value": 'homeAddress.countryCode = "US"'},
            "schema": {"name": PROFILE}, "labels": ["core/C1"], "ttlInDays": 60}


@pytest.fixture
def world(raw: httpx.Client) -> World:
    ref = raw.post(f"{CATALOG}/dataSets", json={
        "name": "uploaded audience", "schemaRef": {
            "id": "https://ns.adobe.com/xdm/context/profile__union",
            "contentType": "application/vnd.adobe.xed+json;version=1"}}).json()
    dataset_id = ref[0].rsplit("/", 1)[1]
    created = raw.post(AUD, json=_platform_body())
    # the spec's CreateExternalAudienceRequestBody example, field for field
    external = raw.post(AUD, json={
        "audienceId": "test-external-audience-id", "name": "externalSegment1",
        "namespace": "aam", "description": "People who ordered in the last 30 days.",
        "type": "ExternalSegment", "originName": "CUSTOM_UPLOAD",
        "lifecycleState": "published", "datasetId": dataset_id, "labels": ["core/C1"],
        "audienceMeta": {"segmentStatus": "ACTIVE", "AAMFolderId": "325813-testnew"},
        "linkedAudienceRef": {"flowId": "4685ea90-d2b6-11ec-9d64-0242ac120002"}})
    orchestrated = raw.post(AUD, json={
        "audienceId": "external-audience-id", "name": "External Audience", "namespace": "AO",
        "type": "ExternalSegment", "originName": "AUDIENCE_ORCHESTRATION",
        "lifecycleState": "published", "datasetId": dataset_id, "labels": [],
        "description": "Composed in Audience Composition",
        "audienceMeta": {"segmentStatus": "ACTIVE"},
        "linkedAudienceRef": {"aoWorkflowId": "62bf31858e87e34c8364befa"}})
    assert created.status_code == external.status_code == orchestrated.status_code == 201, (
        created.text, external.text, orchestrated.text)
    return World(raw, created.json(), external.json(), orchestrated.json(), dataset_id)


def _evaluated(w: World, *more: str) -> None:
    ids = [w.platform["id"], *more]
    job = w.raw.post(f"{UPS}/segment/jobs", json=[{"segmentId": i} for i in ids]).json()
    done = wait(w.raw, f"{UPS}/segment/jobs/{job['id']}",
                lambda d: d.get("status") in ("SUCCEEDED", "FAILED"))
    assert done["status"] == "SUCCEEDED"


def _bulk_in_example_order(w: World, ids: list[str], names: list[str]) -> Any:
    """A bulk-get answer with its result keys renamed to the example's (the ids differ)."""
    body = w.raw.post(f"{AUD}/bulk-get", json={"ids": [{"id": i} for i in ids]}).json()
    return {"results": dict(zip(names, body["results"].values(), strict=True))}


def _example_ids(key: str) -> list[str]:
    return list(SHAPES["shapes"][key]["results"])


def _error(method: str, path: Callable[[World], str], body: Any = None,
           status: int = 400) -> Callable[[World], Any]:
    def run(w: World) -> Any:
        response = w.raw.request(method, path(w), json=body)
        assert response.status_code == status, response.text
        return response.json()
    return run


def _list_with_metrics(w: World) -> Any:
    """Platform audiences only: an external audience's metrics come from its uploads, which
    the sandbox does not ingest."""
    second = w.raw.post(AUD, json=_platform_body("second")).json()
    _evaluated(w, second["id"])
    return w.raw.get(AUD, params={"limit": 1,
                                  "property": "originName==REAL_TIME_CUSTOMER_PROFILE"}).json()


ROWS: dict[str, Callable[[World], Any]] = {
    "components PlatformAudience": lambda w: w.raw.get(f"{AUD}/{w.platform['id']}").json(),
    "getAudience 200 Platform-generated audience":
        lambda w: w.raw.get(f"{AUD}/{w.platform['id']}").json(),
    "createAudience 201 Platform-generated audience": lambda w: w.platform,
    "patchAudience 201 Update the PQL": lambda w: w.raw.patch(
        f"{AUD}/{w.platform['id']}", json=[{"op": "add", "path": "/expression", "value": {
            "type": "PQL", "format": "pql/text", "value": 'workAddress.country = "US"'}}]).json(),
    "updateAudience 201 Update audience PQL expression": lambda w: w.raw.put(
        f"{AUD}/{w.platform['id']}", json=_platform_body("Renamed")).json(),
    "components ExternalAudience": lambda w: w.raw.get(f"{AUD}/{w.external['id']}").json(),
    "components AudiencesList": lambda w: w.raw.get(AUD, params={"limit": 2}).json(),
    "components AudiencesListWithMetrics": _list_with_metrics,
    "bulkGetAudiences 207 All the audiences were successfully retrieved":
        lambda w: _bulk_in_example_order(w, [w.platform["id"], w.orchestrated["id"]], _example_ids(
            "bulkGetAudiences 207 All the audiences were successfully retrieved")),
    "bulkGetAudiences 207 One audience was not found":
        lambda w: _bulk_in_example_order(w, [w.orchestrated["id"], "missing"], _example_ids(
            "bulkGetAudiences 207 One audience was not found")),
    "bulkGetAudiences 400 No IDs were provided": _error("POST", lambda w: f"{AUD}/bulk-get",
                                                        {"ids": []}),
    "bulkGetAudiences 404 All audiences were not found": _error(
        "POST", lambda w: f"{AUD}/bulk-get", {"ids": [{"id": "missing-1"}, {"id": "missing-2"}]},
        404),
    "getAudience 404 Audience not found": _error("GET", lambda w: f"{AUD}/nope", status=404),
    "createAudience 400 Validation error (Name is a mandatory field)":
        _error("POST", lambda w: AUD, {"type": "SegmentDefinition"}),
    "createAudience 400 Validation error (Cannot create audience where lifecycle state is "
    "deleted)": _error("POST", lambda w: AUD, {**_platform_body("x"), "lifecycleState": "deleted"}),
    "createAudience 400 Validation error (Dataset ID validation)": _error(
        "POST", lambda w: AUD, {"name": "ext", "type": "ExternalSegment",
                                "datasetId": "15b4657a058a47b0a3567b63"}),
    "patchAudience 400 Validation error (Lifecycle status cannot be modified to Delete)":
        _error("PATCH", lambda w: f"{AUD}/{w.platform['id']}",
               [{"op": "add", "path": "/lifecycleState", "value": "deleted"}]),
    "updateAudience 400 Validation error (Namepsace is immutable)":
        _error("PUT", lambda w: f"{AUD}/{w.external['id']}",
               {"name": "ext", "namespace": "AAMTraits", "type": "ExternalSegment"}),
}


def _dependent_delete(w: World) -> Any:
    user = w.raw.post(AUD, json={**_platform_body("user"), "expression": {
        "type": "PQL", "format": "pql/text", "value": f'inSegment("{w.platform["id"]}")'}})
    assert user.status_code == 201, user.text
    return _error("DELETE", lambda w: f"{AUD}/{w.platform['id']}")(w)


ROWS["deleteAudience 400 Validation error (Audience is dependent on other audiences)"] = \
    _dependent_delete


def test_every_example_has_a_row_or_a_reason() -> None:
    for key in SHAPES["shapes"]:
        assert key in ROWS or key in NO_COUNTERPART or " request " in key, key


@pytest.mark.parametrize("key", sorted(ROWS))
def test_answer_matches_the_spec_example_field_by_field(world: World, key: str) -> None:
    assert conforms(ROWS[key](world), SHAPES["shapes"][key]) == []


def test_the_shape_check_can_fail() -> None:
    expected = {"id": "string", "n": "integer", "items": [{"a": "boolean"}], "lifecycle": "string"}
    assert conforms({"id": 1, "n": 2, "items": [{"a": "x"}], "lifecycleState": "published",
                     "surprise": 1}, expected) == [
        "$.id: expected string, got int (1)", "$.items[0].a: expected boolean, got str ('x')",
        "$.surprise: not in the example, not documented as an extra"]
    assert conforms({"n": True}, {"n": "integer"}) == ["$.n: expected integer, got boolean"]


# -- behaviour --------------------------------------------------------------------------------
def test_one_store_with_the_definitions(world: World) -> None:
    """A Platform audience's id is its definition's id; writes through either API show through
    the other; labels and lifecycle only through /audiences (segmentation.yaml)."""
    raw, aid = world.raw, world.platform["id"]
    assert world.platform["audienceId"] == aid
    definition_doc = raw.get(f"{UPS}/segment/definitions/{aid}").json()
    assert definition_doc["name"] == world.platform["name"]
    assert "labels" not in definition_doc and "lifecycleState" not in definition_doc
    assert definition_doc["ttlInDays"] == 60  # segment-definitions.md shows it too
    raw.patch(f"{UPS}/segment/definitions/{aid}", json={"description": "through definitions",
                                                       "labels": ["ignored"]})
    audience = raw.get(f"{AUD}/{aid}").json()
    assert audience["description"] == "through definitions"
    assert audience["labels"] == ["core/C1"]  # the definitions API does not write labels
    made = raw.post(f"{UPS}/segment/definitions", json=definition("Through definitions")).json()
    seen = raw.get(f"{AUD}/{made['id']}").json()
    assert (seen["lifecycleState"], seen["labels"], seen["originName"]) == (
        "published", [], "REAL_TIME_CUSTOMER_PROFILE")
    assert raw.delete(f"{AUD}/{made['id']}").status_code == 204
    assert raw.get(f"{UPS}/segment/definitions/{made['id']}").status_code == 404


def test_every_list_holds_audiences_of_other_origins(raw: httpx.Client) -> None:
    listed = raw.get(AUD, params={"limit": 100}).json()["children"]
    origins = {a["originName"] for a in listed}
    assert {"CUSTOM_UPLOAD", "AUDIENCE_ORCHESTRATION"} <= origins
    assert all(a["type"] == "ExternalSegment" for a in listed
               if a["originName"] != "REAL_TIME_CUSTOMER_PROFILE")
    assert raw.get(f"{UPS}/segment/definitions").json()["segments"] == []


def test_list_filters_sort_and_paging(world: World) -> None:
    raw = world.raw
    for n in range(3):
        assert raw.post(AUD, json=_platform_body(f"Batch {n}")).status_code == 201
    by_name = raw.get(AUD, params={"name": "batch"}).json()["children"]
    assert sorted(a["name"] for a in by_name) == ["Batch 0", "Batch 1", "Batch 2"]
    described = raw.get(AUD, params={"description": "PEOPLE WHO", "limit": 50}).json()[
        "children"]
    assert {a["name"] for a in described} >= {"Batch 0", "externalSegment1"}
    exact = raw.get(AUD, params={"property": "audienceId==test-external-audience-id"}).json()
    assert [a["id"] for a in exact["children"]] == [world.external["id"]]
    accounts = raw.get(AUD, params={"entityType": "_xom.context.account"}).json()
    assert accounts["children"] == [] and accounts["_page"]["totalCount"] == 0
    ascending = raw.get(AUD, params={"sort": "name:asc", "name": "batch"}).json()
    assert [a["name"] for a in ascending["children"]] == ["Batch 0", "Batch 1", "Batch 2"]
    seen, start, pages = [], 0, 0
    while True:
        page = raw.get(AUD, params={"limit": 2, "start": start}).json()
        seen += [a["id"] for a in page["children"]]
        pages += 1
        if "next" not in page["_page"]:
            assert page["_links"] == {}
            break
        assert page["_links"]["next"]["href"].startswith("@/audiences?start=")
        start = page["_page"]["next"]
    total = page["_page"]["totalCount"]
    # the world's three, the two seeded ones, the three made here
    assert len(seen) == len(set(seen)) == total == 3 + 2 + 3 and pages == 4


def test_dependencies_and_dependents_follow_in_segment(world: World) -> None:
    raw, base = world.raw, world.platform["id"]
    user = raw.post(AUD, json={**_platform_body("user"), "expression": {
        "type": "PQL", "format": "pql/text", "value": f'inSegment("{base}")'}}).json()
    assert user["dependencies"] == [base]
    assert raw.get(f"{AUD}/{base}").json()["dependents"] == [user["id"]]
    # the same reference written as pql/json (a string and an object value), and a rule
    # without one
    tree = {"nodeType": "fnApply", "fnName": "inSegment",
            "params": [{"nodeType": "literal", "literalType": "String", "value": base}]}
    as_json = [raw.post(AUD, json={**_platform_body(f"json {i}"), "expression": {
        "type": "PQL", "format": "pql/json", "value": value}}).json()
        for i, value in enumerate((json.dumps(tree), tree))]
    assert [a["dependencies"] for a in as_json] == [[base], [base]]
    plain = raw.post(AUD, json={**_platform_body("plain"), "expression": {
        "type": "PQL", "format": "pql/text", "value": 'person.gender = "inSegment"'}}).json()
    assert plain["dependencies"] == []
    listed = {a["id"]: a for a in raw.get(AUD, params={"limit": 50}).json()["children"]}
    assert listed[as_json[0]["id"]]["dependencies"] == [base]
    assert listed[plain["id"]]["dependencies"] == []
    assert sorted(raw.get(f"{AUD}/{base}").json()["dependents"]) == sorted(
        [user["id"], *(a["id"] for a in as_json)])
    for made in (*as_json, plain):
        assert raw.delete(f"{AUD}/{made['id']}").status_code == 204
    assert raw.delete(f"{AUD}/{user['id']}").status_code == 204
    assert raw.delete(f"{AUD}/{base}").status_code == 204


def test_metrics_come_from_the_last_evaluation(world: World) -> None:
    assert "metrics" not in world.platform
    _evaluated(world)
    metrics = world.raw.get(f"{AUD}/{world.platform['id']}").json()["metrics"]
    by_status = metrics["data"]["totalProfilesByStatus"]
    assert metrics["type"] == "export" and metrics["id"] == world.platform["id"]
    assert metrics["data"]["totalProfiles"] == by_status["realized"] + by_status["existing"] > 0


def test_patch_sets_labels_ttl_and_lifecycle(world: World) -> None:
    raw, aid = world.raw, world.platform["id"]
    answer = raw.patch(f"{AUD}/{aid}", json=[
        {"op": "add", "path": "/labels", "value": ["C2"]},
        {"op": "add", "path": "/ttlInDays", "value": 30},
        {"op": "add", "path": "/lifecycleState", "value": "inactive"}])
    assert answer.status_code == 200
    got = raw.get(f"{AUD}/{aid}").json()
    assert (got["labels"], got["ttlInDays"], got["lifecycleState"]) == (["C2"], 30, "inactive")
    assert got["_etag"] != world.platform["_etag"] or got["updateTime"] == world.platform[
        "updateTime"]
    bad = raw.patch(f"{AUD}/{aid}", json=[{"op": "add", "path": "/namespace", "value": "AAM"}])
    assert bad.status_code == 400
    assert raw.patch(f"{AUD}/{aid}", json=[{"op": "remove", "path": "/labels"}]).status_code \
        == 400

"""Documented fields and paths the sandbox used to miss: ``errors[]`` and
``segmentedProfileByNamespaceCounter`` on segment jobs, ``aCPDatasetWriteTime`` on export jobs,
segment search, the Profile access API with ``segmentMembership``, and a served path behind
every ``_href``/``_links``/``link`` the sandbox answers."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from tests.sandbox.conftest import CATALOG, EXPORT, UPS, definition, wait_job

PROFILE = "_xdm.context.profile"


def _segment(local: httpx.Client, name: str, text: str) -> dict[str, Any]:
    created = local.post(f"{UPS}/segment/definitions", json=definition(
        name, text, description=f"{name} for search"))
    assert created.status_code == 200, created.text
    return dict(created.json())


def _evaluated(local: httpx.Client, seg: dict[str, Any]) -> dict[str, Any]:
    job = local.post(f"{UPS}/segment/jobs", json=[{"segmentId": seg["id"]}]).json()
    done = wait_job(local, f"{UPS}/segment/jobs/{job['id']}")
    assert done["status"] == "SUCCEEDED"
    return done


def test_segment_job_documented_metrics(local: httpx.Client) -> None:
    seg = _segment(local, "Women", 'person.gender = "female"')
    done = _evaluated(local, seg)
    assert done["errors"] == []  # segmentation.yaml SegmentJob.errors: an array
    members = done["metrics"]["segmentedProfileCounter"][seg["id"]]
    by_ns = done["metrics"]["segmentedProfileByNamespaceCounter"][seg["id"]]
    assert by_ns == {"ECID": members, "Email": members}  # every sample profile has both


def test_export_job_reports_the_dataset_write_time(local: httpx.Client) -> None:
    seg = _segment(local, "Women", 'person.gender = "female"')
    did = local.post(f"{CATALOG}/dataSets", json={"name": "w"}).json()[0].rsplit("/", 1)[1]
    job = local.post(f"{UPS}/export/jobs", json={
        "filter": {"segments": [{"segmentId": seg["id"]}]}, "destination": {"datasetId": did},
        "schema": {"name": PROFILE}, "evaluationInfo": {"segmentation": True}}).json()
    done = wait_job(local, f"{UPS}/export/jobs/{job['id']}")
    write = done["metrics"]["aCPDatasetWriteTime"]
    assert write["endTimeInMs"] - write["startTimeInMs"] == write["totalTimeInMs"] >= 0


def test_segment_search(local: httpx.Client) -> None:
    women = _segment(local, "Women", 'person.gender = "female"')
    _segment(local, "Men", 'person.gender = "male"')
    counts = local.get(f"{UPS}/search/namespaces",
                       params={"schema.name": PROFILE, "s": "women"}).json()
    assert counts["namespaces"] == [{"namespace": "ups", "displayName": "Segmentation Service",
                                     "count": 1}]
    found = local.get(f"{UPS}/search/entities", params={
        "schemaClass": PROFILE, "namespace": "ups", "s": "search"}).json()
    assert sorted(e["name"] for e in found["entities"]) == ["Men", "Women"]
    assert found["page"]["totalCount"] == 2
    assert all(e["parentFolderId"] == "root" and not e["isFolder"] for e in found["entities"])
    tax = local.get(f"{UPS}/search/taxonomy", params={
        "schema.name": PROFILE, "namespace": "ups", "entityId": women["id"]}).json()
    assert [t["id"] for t in tax["taxonomy"]] == [women["id"]]
    assert local.get(f"{UPS}/search/namespaces").status_code == 400  # schema.name required
    assert local.get(f"{UPS}/search/taxonomy", params={
        "schema.name": PROFILE, "namespace": "ups", "entityId": "nope"}).status_code == 404


def test_profile_access_with_segment_membership(local: httpx.Client) -> None:
    seg = _segment(local, "Women", 'person.gender = "female"')
    _evaluated(local, seg)
    preview = local.post(f"{UPS}/preview", json={
        "predicateExpression": 'person.gender = "female"', "predicateType": "pql/text",
        "predicateModel": PROFILE, "graphType": "none"}).json()
    done = wait_job(local, f"{UPS}/preview/{preview['previewId']}")
    [member] = done["results"][0]
    by_id = local.get(f"{UPS}/access/entities",
                      params={"schema.name": PROFILE, "entityId": member}).json()
    entity = by_id[member]["entity"]
    assert entity["person"]["gender"] == "female"
    assert entity["segmentMembership"]["ups"][seg["id"]]["status"] == "realized"
    email = entity["identityMap"]["Email"][0]["id"]
    by_email = local.get(f"{UPS}/access/entities", params={
        "schema.name": PROFILE, "entityId": email, "entityIdNS": "email",
        "fields": "person.gender,segmentMembership"}).json()
    assert by_email == {member: {**by_email[member], "entity": {
        "person": {"gender": "female"}, "segmentMembership": entity["segmentMembership"]}}}
    unknown = local.get(f"{UPS}/access/entities", params={
        "schema.name": PROFILE, "entityId": "nobody@example.com", "entityIdNS": "email"})
    assert unknown.status_code == 404
    assert local.get(f"{UPS}/access/entities", params={"entityId": member}).status_code == 400


def _links(value: Any, found: list[str]) -> list[str]:
    """Every link the sandbox put in an answer: ``_href``, ``href``, ``_links``/``links``/
    ``link`` values and Catalog ``@/`` references."""
    if isinstance(value, dict):
        for key, item in value.items():
            named = key in ("_href", "href", "_self", "next", "prev", "preview")
            if isinstance(item, str) and ((named and item) or item.startswith("@/")):
                found.append(item)
            else:
                _links(item, found)
    elif isinstance(value, list):
        for item in value:
            _links(item, found)
    return found


def _resolve(link: str, base: str) -> str:
    """A link as a path: absolute URLs keep their path, ``@/x`` is relative to the service
    (Catalog's convention; merge policies' next link is relative to ``/config``),
    ``/segment/...`` relative to the Segmentation base (as AEP's job
    ``_links`` and export ``link.next`` are)."""
    if link.startswith("@/"):
        return f"{base}/{link[2:]}" if base != UPS else f"{UPS}/config/{link[2:]}"
    parts = urlsplit(link)
    path = parts.path if not parts.query else f"{parts.path}?{parts.query}"
    return path if path.startswith("/data/") else f"{UPS}{path}"


def test_every_link_the_sandbox_answers_is_served(local: httpx.Client) -> None:
    seg = _segment(local, "Women", 'person.gender = "female"')
    job = _evaluated(local, seg)
    for n in range(3):
        local.post(f"{UPS}/segment/definitions", json=definition(f"s{n}", "true"))
    did = local.post(f"{CATALOG}/dataSets", json={"name": "w"}).json()[0].rsplit("/", 1)[1]
    export_ids = []
    for _ in range(2):
        export = local.post(f"{UPS}/export/jobs", json={
            "filter": {"segments": [{"segmentId": seg["id"]}]},
            "destination": {"datasetId": did}, "schema": {"name": PROFILE}}).json()
        export_ids.append(export["id"])
        wait_job(local, f"{UPS}/export/jobs/{export['id']}")
    policy = local.post(f"{UPS}/config/mergePolicies", json={
        "name": "second", "schema": {"name": PROFILE}, "identityGraph": {"type": "none"},
        "attributeMerge": {"type": "timestampOrdered"}})
    assert policy.status_code == 200, policy.text
    preview = local.post(f"{UPS}/preview", json={
        "predicateExpression": 'person.gender = "female"', "predicateType": "pql/text",
        "predicateModel": PROFILE, "graphType": "none"}).json()
    wait_job(local, f"{UPS}/preview/{preview['previewId']}")
    batch = local.get(f"{CATALOG}/dataSets/{did}").json()[did]["lastSuccessfulBatch"]
    answers = {
        UPS: [local.get(f"{UPS}/segment/jobs/{job['id']}").json(),
              local.get(f"{UPS}/segment/jobs", params={"limit": 1}).json(),
              local.get(f"{UPS}/segment/definitions", params={"limit": 2}).json(),
              local.get(f"{UPS}/export/jobs", params={"limit": 1}).json(),
              local.get(f"{UPS}/config/mergePolicies", params={"limit": 1}).json(),
              local.get(f"{UPS}/config/schedules").json(),
              local.get(f"{UPS}/preview/{preview['previewId']}", params={"limit": 2}).json(),
              local.get(f"{UPS}/estimate/{preview['previewId']}").json()],
        CATALOG: [local.get(f"{CATALOG}/dataSets/{did}").json()],
        EXPORT: [local.get(f"{EXPORT}/batches/{batch}/files").json()],
    }
    [listed] = answers[EXPORT][0]["data"]
    answers[EXPORT].append(local.get(f"{EXPORT}/files/{listed['dataSetFileId']}").json())
    assert "@/mergePolicies" in str(answers[UPS][4])  # a next link of that form is checked
    checked = set()
    for base, bodies in answers.items():
        for link in _links(bodies, []):
            path = _resolve(link, base)
            response = local.get(path)
            assert response.status_code == 200, (link, path, response.text[:200])
            checked.add(path.split("?")[0].rsplit("/", 1)[0])
    assert len(checked) >= 8  # jobs, definitions, exports, policies, previews, catalog, files

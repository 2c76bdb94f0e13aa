"""Where the documentation allows more than one answer, the client must accept each of them.

Every case names the page or spec that documents the variant. The server side is scripted with
respx; the client is the real ``AepClient``.
"""

from __future__ import annotations

import re

import httpx
import pytest
import respx

from segctl.aep import AepClient, BadRequestError, ConflictError

from .conftest import PLATFORM, UPS

U = PLATFORM + UPS


# help/segmentation/api/segment-definitions.md (create: "422 Already exists", spec
# segmentation.yaml) vs the export-job dataset lookup, whose failure names a dataset that "does
# not exist" / "cannot be retrieved from Catalog" (segmentation.yaml, audiences 400 example).
@pytest.mark.parametrize(
    ("message", "cls"),
    [
        ("The segment definition already exists. Use PATCH to update it.", ConflictError),
        ("Dataset 5b7c86968f7b6501e21ba9df does not exist in this sandbox.", BadRequestError),
        ("Dataset 15b4 cannot be retrieved from Catalog https://platform.adobe.io/...",
         BadRequestError),
        ("Segment definition abc not found", BadRequestError),
    ],
)
def test_422_is_a_conflict_only_for_duplicates(
    client: AepClient, router: respx.Router, message: str, cls: type
) -> None:
    router.get(f"{U}/export/jobs").mock(  # the jobs that existed before the POST
        return_value=httpx.Response(200, json={"records": [], "page": {}, "link": {}}))
    router.post(f"{U}/export/jobs").mock(return_value=httpx.Response(422, json={
        "type": "https://ns.adobe.com/aep/errors/UPLIB-101554-422", "title": message,
        "status": 422, "errors": {"422": [{"code": 422, "message": message}]}}))
    with pytest.raises(cls):
        client.create_export_job({"destination": {"datasetId": "5b7c86968f7b6501e21ba9df"},
                                  "schema": {"name": "_xdm.context.profile"}})


# -- segment definitions paging -----------------------------------------------------------
# help/segmentation/api/segment-definitions.md lists `page` ("which page the results will start
# from", example page=5) and segmentation.yaml gives the example page=0; whether the first page
# is 0 or 1 is undocumented (AEP-API.md §16). Both numberings must yield every definition.
def _defs(*ids: str) -> list[dict[str, str]]:
    return [{"id": i, "name": f"Segment {i}"} for i in ids]


@pytest.mark.parametrize(
    ("pages", "expected_requests"),
    [
        ({None: ("a", "b"), "1": ("c", "d"), "2": ("e",)}, [None, "1", "2"]),  # 0-based
        ({None: ("a", "b"), "1": ("a", "b"), "2": ("c", "d"), "3": ("e",)},
         [None, "1", "2", "3"]),  # 1-based: page=1 repeats the default first page
    ],
    ids=["zero-based", "one-based"],
)
def test_definition_pages_numbered_from_zero_or_one(
    client: AepClient, router: respx.Router, pages: dict, expected_requests: list
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        ids = pages[request.url.params.get("page")]
        return httpx.Response(200, json={
            "segments": _defs(*ids),
            "page": {"totalCount": 5, "totalPages": 3, "sortField": "creationTime",
                     "sort": "desc", "pageSize": len(ids), "limit": 2},
            "link": {}})

    route = router.get(f"{U}/segment/definitions").mock(side_effect=answer)
    assert [d["id"] for d in client.list_segment_definitions(limit=2)] == list("abcde")
    assert [c.request.url.params.get("page") for c in route.calls] == expected_requests


def test_definition_pages_stop_when_the_server_ignores_page(
    client: AepClient, router: respx.Router
) -> None:
    route = router.get(f"{U}/segment/definitions").mock(return_value=httpx.Response(200, json={
        "segments": _defs("a", "b"), "page": {"totalCount": 9, "totalPages": 5}, "link": {}}))
    assert [d["id"] for d in client.list_segment_definitions(limit=2)] == ["a", "b"]
    assert route.call_count == 3  # the first page, one tolerated repeat, one more repeat


# `link.next` on segment definitions is undocumented (AEP-API.md §5.2): a string as on export
# jobs (help/segmentation/api/export-jobs.md), an {"href"} object as on segment jobs and merge
# policies, or an "@/..." reference as on merge policies and audiences (segmentation.yaml).
@pytest.mark.parametrize(
    "link_next",
    [
        "/data/core/ups/segment/definitions?limit=1&page=1",
        "/segment/definitions?limit=1&page=1",
        {"href": "/segment/definitions?limit=1&page=1"},
        {"href": "@/segment/definitions?limit=1&page=1"},
        "@/definitions?limit=1&page=1",
        f"{PLATFORM}/data/core/ups/segment/definitions?limit=1&page=1",
    ],
)
def test_definition_link_next_string_or_object(
    client: AepClient, router: respx.Router, link_next: object
) -> None:
    first = {"segments": _defs("a"), "page": {"totalCount": 2, "totalPages": 2},
             "link": {"next": link_next}}
    last = {"segments": _defs("b"), "page": {"totalCount": 2, "totalPages": 2}, "link": {}}
    route = router.get(f"{U}/segment/definitions").mock(
        side_effect=[httpx.Response(200, json=first), httpx.Response(200, json=last)])
    assert [d["id"] for d in client.list_segment_definitions(limit=1)] == ["a", "b"]
    second = route.calls[1].request.url
    assert second.path == "/data/core/ups/segment/definitions"
    assert second.params["page"] == "1"


# -- bulk-get -----------------------------------------------------------------------------
# help/segmentation/api/segment-definitions.md#bulk-get answers 207 {"results": {id: def}}; an
# unknown id comes back as an error entry and, when no id is known, the answer is a 404
# (segmentation.yaml, audiences bulk-get: "One audience was not found", "All audiences were
# not found"). Neither is a definition.
def test_bulk_get_leaves_out_error_entries(client: AepClient, router: respx.Router) -> None:
    router.post(f"{U}/segment/definitions/bulk-get").mock(return_value=httpx.Response(207, json={
        "results": {
            "a": {"id": "a", "name": "A", "expression": {"type": "PQL"}},
            "gone": {"requestId": "r1", "errors": {"404": [{"code": 404,
                                                             "message": "Not found."}]}},
        }}))
    assert client.bulk_get_segment_definitions(["a", "gone"]) == {
        "a": {"id": "a", "name": "A", "expression": {"type": "PQL"}}}


def test_bulk_get_of_only_unknown_ids_is_empty(client: AepClient, router: respx.Router) -> None:
    router.post(f"{U}/segment/definitions/bulk-get").mock(return_value=httpx.Response(404, json={
        "requestId": "r2", "type": "https://ns.adobe.com/aep/errors/UPAPI-113000-404",
        "title": "The entity x,y is not found.", "status": 404,
        "errors": {"404": [{"code": "UPAPI-113000-404",
                            "message": "The entity x,y is not found."}]}}))
    assert client.bulk_get_segment_definitions(["x", "y"]) == {}


def test_bulk_get_against_the_sandbox(local_client: AepClient) -> None:
    created = local_client.create_segment_definition({
        "name": "A", "schema": {"name": "_xdm.context.profile"},
        "expression": {"type": "PQL", "format": "pql/text", "value": 'person.gender = "x"'}})
    found = local_client.bulk_get_segment_definitions([created["id"], "missing"])
    assert list(found) == [created["id"]]


# -- DELETE answers ----------------------------------------------------------------------------
# help/segmentation/api/segment-definitions.md#delete: "200 with no message"; segmentation.yaml
# deleteSegmentDefinition: 200 MessageResponse {status, message}.
@pytest.mark.parametrize("answer", [httpx.Response(200), httpx.Response(200, json={
    "status": True, "message": "deleted"})], ids=["empty", "message"])
def test_definition_delete_either_answer(
    client: AepClient, router: respx.Router, answer: httpx.Response
) -> None:
    route = router.delete(f"{U}/segment/definitions/d1").mock(return_value=answer)
    client.delete_segment_definition("d1")
    assert route.call_count == 1


# segmentation.yaml deleteSegmentJob: 204 with no content; help/segmentation/api/segment-jobs.md
# #delete: 204 "with the following information" {status, message}.
@pytest.mark.parametrize("answer", [httpx.Response(204), httpx.Response(204, json={
    "status": True, "message": "Segment job with id 'j1' has been marked for cancelling"})],
    ids=["no-body", "body"])
def test_segment_job_cancel_either_answer(
    client: AepClient, router: respx.Router, answer: httpx.Response
) -> None:
    router.delete(f"{U}/segment/jobs/j1").mock(return_value=answer)
    result = client.cancel_segment_job("j1")
    assert result is None or result["status"] is True


# segmentation.yaml cancelExportJob: 200 with {status, message}; the export-jobs.md page (newer
# version): 204 with the same message.
@pytest.mark.parametrize("status", [200, 204])
def test_export_job_cancel_200_or_204(client: AepClient, router: respx.Router, status: int
                                      ) -> None:
    message = {"status": True, "message": "Export job has been marked for cancelling"}
    router.delete(f"{U}/export/jobs/11037").mock(return_value=httpx.Response(status,
                                                                              json=message))
    assert client.cancel_export_job(11037) == message


# -- export jobs -----------------------------------------------------------------------------
# help/segmentation/api/export-jobs.md spells the destination both `datasetId` and `dataSetId`
# (segmentPerBatch example); the spec says datasetId. Two jobs naming the same dataset either
# way are the same export (the recovery after a lost create relies on it).
def test_export_destination_dataset_id_in_either_spelling() -> None:
    from segctl.aep.documents import export_signature

    spec = {"destination": {"datasetId": "5b7c"}, "filter": {"segments": [{"segmentId": "s"}]}}
    doc = {"destination": {"dataSetId": "5b7c"}, "filter": {"segments": [{"segmentId": "s"}]}}
    assert export_signature(spec) == export_signature(doc) == ("5b7c", frozenset({"s"}))


# segmentation.yaml GetExportJobsResponse: link.next is a string, "empty" when there are no
# more records; older examples omit link entirely or show {}.
@pytest.mark.parametrize("last_link", [{"next": ""}, {}, None], ids=["empty", "no-next",
                                                                     "no-link"])
def test_export_job_list_last_page_forms(
    client: AepClient, router: respx.Router, last_link: object
) -> None:
    first = {"records": [{"id": 2}], "page": {"pageOffset": "1538573416687_2", "pageSize": 1},
             "link": {"next": "/export/jobs/?limit=1&offset=1538573416687_2"}}
    last: dict = {"records": [{"id": 1}], "page": {"pageSize": 1}}
    if last_link is not None:
        last["link"] = last_link
    # the documented next link ends the path with a slash: "/export/jobs/?limit=2&offset=..."
    route = router.get(url__regex=rf"^{re.escape(U)}/export/jobs/?(\?.*)?$").mock(
        side_effect=[httpx.Response(200, json=first), httpx.Response(200, json=last)])
    assert [j["id"] for j in client.list_export_jobs(limit=1)] == [2, 1]
    assert route.calls[1].request.url.params["offset"] == "1538573416687_2"


# -- Catalog create --------------------------------------------------------------------------
# help/catalog/api/create-dataset.md: 201 ["@/dataSets/<id>"] + Location; profile and segment
# docs show the lowercase "@/datasets/<id>" (AEP-API.md §1.2).
@pytest.mark.parametrize("body", [["@/dataSets/5c8c3c555033b814b69f947f"],
                                  ["@/datasets/5c8c3c555033b814b69f947f"], None],
                         ids=["camel", "lower", "location-only"])
def test_dataset_create_answers(client: AepClient, router: respx.Router, body: object) -> None:
    headers = {"Location": "/data/foundation/catalog/dataSets/5c8c3c555033b814b69f947f"}
    answer = httpx.Response(201, json=body, headers=headers) if body is not None \
        else httpx.Response(201, headers=headers)
    router.post(f"{PLATFORM}/data/foundation/catalog/dataSets").mock(return_value=answer)
    assert client.create_dataset({"name": "d"}) == "5c8c3c555033b814b69f947f"


# -- gateway throttling --------------------------------------------------------------------------
# help/landing/troubleshooting.md / Adobe I/O gateway: 429 {"error_code": "429050"} with
# Retry-After in seconds.
def test_gateway_429_carries_retry_after(client: AepClient, router: respx.Router) -> None:
    from segctl.aep import RateLimitedError

    router.get(f"{U}/segment/jobs/j1").mock(return_value=httpx.Response(
        429, json={"error_code": "429050", "message": "Too many requests"},
        headers={"Retry-After": "7", "x-request-id": "gw-1"}))
    with pytest.raises(RateLimitedError) as info:
        client.get_segment_job("j1")
    assert (info.value.code, info.value.retry_after, info.value.request_id) == (
        "429050", 7.0, "gw-1")

"""The audiences methods: the requests they send and how they read the answers (respx), and
the engine's choice of API when an org is not enabled for audiences."""

from __future__ import annotations

import json

import httpx
import respx

from segctl.aep import AepClient
from segctl.aep.documents import is_platform_audience
from segctl.engine.state import read_segments

from .conftest import UPS

AUD = f"{UPS}/audiences"


def test_list_follows_the_page_and_links(client: AepClient, router: respx.Router) -> None:
    pages = {
        "0": {"children": [{"id": "a"}, {"id": "b"}], "_page": {"totalCount": 3, "next": 2},
              "_links": {"next": {"href": "@/audiences?start=2&limit=2&totalCount=3"}}},
        "2": {"children": [{"id": "c"}], "_page": {"totalCount": 3}, "_links": {}},
    }
    route = router.get(AUD).mock(side_effect=lambda request: httpx.Response(
        200, json=pages[request.url.params.get("start", "0")]))
    assert [a["id"] for a in client.list_audiences(limit=2)] == ["a", "b", "c"]
    assert [str(c.request.url).split("?")[0] for c in route.calls] == [AUD, AUD]
    assert route.calls[1].request.url.params["start"] == "2"


def test_patch_sends_json_patch_add_operations(client: AepClient, router: respx.Router
                                               ) -> None:
    route = router.patch(f"{AUD}/id%201").mock(return_value=httpx.Response(200, json={"id": "x"}))
    client.patch_audience("id 1", {"labels": ["C1"], "lifecycleState": "inactive"})
    assert json.loads(route.calls[0].request.content) == [
        {"op": "add", "path": "/labels", "value": ["C1"]},
        {"op": "add", "path": "/lifecycleState", "value": "inactive"}]


def test_create_accepts_201_and_200(client: AepClient, router: respx.Router) -> None:
    router.post(AUD).mock(side_effect=[httpx.Response(201, json={"id": "a"}),
                                       httpx.Response(200, json={"id": "b"})])
    assert client.create_audience({"name": "x"})["id"] == "a"
    assert client.create_audience({"name": "y"})["id"] == "b"


def test_delete_answers_204(client: AepClient, router: respx.Router) -> None:
    route = router.delete(f"{AUD}/a").mock(return_value=httpx.Response(204))
    client.delete_audience("a")
    assert route.called


def test_bulk_get_chunks_by_100_and_drops_errors(client: AepClient, router: respx.Router
                                                 ) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        ids = [i["id"] for i in json.loads(request.content)["ids"]]
        if ids == ["gone"]:
            return httpx.Response(404, json={"status": 404, "title": "not found"})
        return httpx.Response(207, json={"results": {
            i: ({"id": i} if i != "x3" else {"errors": {"404": [{"code": 404}]}}) for i in ids}})

    route = router.post(f"{AUD}/bulk-get").mock(side_effect=answer)
    ids = [f"x{n}" for n in range(150)]
    found = client.bulk_get_audiences([*ids, "x0"])
    assert len(found) == 149 and "x3" not in found
    assert [len(json.loads(c.request.content)["ids"]) for c in route.calls] == [100, 50]
    assert client.bulk_get_audiences(["gone"]) == {}


def test_which_audiences_are_segment_definitions() -> None:
    assert is_platform_audience({"originName": "REAL_TIME_CUSTOMER_PROFILE"})
    assert not is_platform_audience({"originName": "CUSTOM_UPLOAD", "type": "SegmentDefinition"})
    assert is_platform_audience({"type": "SegmentDefinition"})
    assert not is_platform_audience({"type": "ExternalSegment"})


def test_an_org_without_audiences_is_read_through_definitions(
        client: AepClient, router: respx.Router) -> None:
    router.get(AUD).mock(return_value=httpx.Response(403, json={
        "type": "https://ns.adobe.com/aep/errors/UPAPI-113740-403", "status": 403,
        "title": "The IMS Org is not enabled for External Segment"}))
    router.get(f"{UPS}/segment/definitions").mock(return_value=httpx.Response(200, json={
        "segments": [{"id": "d1", "name": "D"}], "page": {"totalCount": 1}, "link": {}}))
    segments, foreign = read_segments(client)
    assert [s["id"] for s in segments] == ["d1"] and foreign == ()


def test_audiences_split_by_origin(client: AepClient, router: respx.Router) -> None:
    router.get(AUD).mock(return_value=httpx.Response(200, json={"children": [
        {"id": "p", "originName": "REAL_TIME_CUSTOMER_PROFILE"},
        {"id": "u", "originName": "CUSTOM_UPLOAD", "type": "ExternalSegment"}],
        "_page": {"totalCount": 2}, "_links": {}}))
    segments, foreign = read_segments(client)
    assert [s["id"] for s in segments] == ["p"] and [f["id"] for f in foreign] == ["u"]

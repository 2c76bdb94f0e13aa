"""Every paging style, across several pages, through the client (requests asserted)."""

from __future__ import annotations

import httpx
import respx

from segctl.aep import AepClient
from segctl.aep._paging import PageRequest, Style, iterate, parse_page_link, resolve_link

from .conftest import CATALOG, EXPORT, UPS


def _defs(*ids: str) -> list[dict[str, str]]:
    return [{"id": i, "name": f"Segment {i}"} for i in ids]


def test_definitions_page_numbers_follow_total_pages(
    client: AepClient, router: respx.Router
) -> None:
    pages = {
        None: _defs("a", "b"),
        "1": _defs("c", "d"),
        "2": _defs("e"),
    }

    def answer(request: httpx.Request) -> httpx.Response:
        page = request.url.params.get("page")
        return httpx.Response(
            200,
            json={
                "segments": pages[page],
                "page": {
                    "totalCount": 5,
                    "totalPages": 3,
                    "pageSize": len(pages[page]),
                    "limit": 2,
                },
                "link": {},
            },
        )

    route = router.get(f"{UPS}/segment/definitions").mock(side_effect=answer)
    result = client.list_segment_definitions(limit=2)
    assert [d["id"] for d in result] == ["a", "b", "c", "d", "e"]
    assert [c.request.url.params.get("page") for c in route.calls] == [None, "1", "2"]
    assert all(c.request.url.params["limit"] == "2" for c in route.calls)


def test_definitions_follow_link_next(client: AepClient, router: respx.Router) -> None:
    first = {
        "segments": _defs("a"),
        "page": {"totalPages": 2},
        "link": {"next": "/segment/definitions?limit=1&page=1"},
    }
    second = {"segments": _defs("b"), "page": {"totalPages": 2}, "link": {}}
    route = router.get(f"{UPS}/segment/definitions").mock(
        side_effect=[httpx.Response(200, json=first), httpx.Response(200, json=second)]
    )
    assert [d["id"] for d in client.list_segment_definitions(limit=1)] == ["a", "b"]
    assert route.calls[1].request.url.path == "/data/core/ups/segment/definitions"
    assert route.calls[1].request.url.params["page"] == "1"


def test_segment_jobs_follow_underscore_links(client: AepClient, router: respx.Router) -> None:
    bodies = [
        {
            "_page": {"totalCount": 3, "pageSize": 2},
            "children": [{"id": "j1"}, {"id": "j2"}],
            "_links": {"next": {"href": "/segment/jobs?start=2&limit=2"}},
        },
        {
            "_page": {"totalCount": 3, "pageSize": 1},
            "children": [{"id": "j3"}],
            "_links": {"next": {}},
        },
    ]
    route = router.get(f"{UPS}/segment/jobs").mock(
        side_effect=[httpx.Response(200, json=b) for b in bodies]
    )
    jobs = client.list_segment_jobs(status="SUCCEEDED", limit=2)
    assert [j["id"] for j in jobs] == ["j1", "j2", "j3"]
    assert route.calls[0].request.url.params["status"] == "SUCCEEDED"
    assert route.calls[1].request.url.params["start"] == "2"


def test_merge_policies_resolve_at_slash_links(client: AepClient, router: respx.Router) -> None:
    bodies = [
        {
            "_page": {"totalCount": 3, "pageSize": 2},
            "children": [{"id": "mp1", "default": False}, {"id": "mp2", "default": False}],
            "_links": {"next": {"href": "@/mergePolicies?start=K1JJRDpF&orderBy=&limit=2"}},
        },
        {
            "_page": {"totalCount": 3, "pageSize": 1},
            "children": [
                {"id": "mp3", "default": True, "schema": {"name": "_xdm.context.profile"}}
            ],
            "_links": {"next": {"href": ""}},
        },
    ]
    route = router.get(f"{UPS}/config/mergePolicies").mock(
        side_effect=[httpx.Response(200, json=b) for b in bodies]
    )
    default = client.get_default_merge_policy()
    assert default is not None and default["id"] == "mp3"
    second = route.calls[1].request.url
    assert second.path == "/data/core/ups/config/mergePolicies"
    assert second.params["start"] == "K1JJRDpF"


def test_schedules_page_with_start_token(client: AepClient, router: respx.Router) -> None:
    bodies = [
        {
            "_page": {"totalCount": 2, "pageSize": 1, "next": "1"},
            "children": [{"id": "s1"}],
            "_links": {},
        },
        {
            "_page": {"totalCount": 2, "pageSize": 1},
            "children": [{"id": "s2"}],
            "_links": {"next": {}},
        },
    ]
    route = router.get(f"{UPS}/config/schedules").mock(
        side_effect=[httpx.Response(200, json=b) for b in bodies]
    )
    assert [s["id"] for s in client.list_schedules(limit=1)] == ["s1", "s2"]
    assert [c.request.url.params["start"] for c in route.calls] == ["0", "1"]


def test_export_jobs_follow_records_link_next(client: AepClient, router: respx.Router) -> None:
    bodies = [
        {
            "records": [{"id": 11037}, {"id": 11036}],
            "page": {
                "sortField": "createdTime",
                "sort": "desc",
                "pageOffset": "1538573416687_722",
                "pageSize": 2,
            },
            "link": {"next": "/export/jobs/?limit=2&offset=1538573416687_722"},
        },
        {"records": [{"id": 722}], "page": {"pageSize": 1}, "link": {"next": ""}},
    ]
    route = router.get(url__regex=rf"{UPS}/export/jobs/?(\?.*)?$").mock(
        side_effect=[httpx.Response(200, json=b) for b in bodies]
    )
    jobs = client.list_export_jobs(limit=2)
    assert [j["id"] for j in jobs] == [11037, 11036, 722]
    assert route.calls[1].request.url.params["offset"] == "1538573416687_722"
    assert route.calls[1].request.url.path.startswith("/data/core/ups/export/jobs")


def test_catalog_pages_until_a_short_page(client: AepClient, router: respx.Router) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params["start"])
        limit = int(request.url.params["limit"])
        ids = [f"{n:024x}" for n in range(250)][start : start + limit]
        return httpx.Response(200, json={i: {"name": f"ds {i}"} for i in ids})

    route = router.get(f"{CATALOG}/dataSets").mock(side_effect=answer)
    datasets = client.list_datasets()
    assert len(datasets) == 250 and datasets[0]["id"] == f"{0:024x}"
    assert [c.request.url.params["start"] for c in route.calls] == ["0", "100", "200"]


def test_data_access_listing_follows_next(client: AepClient, router: respx.Router) -> None:
    bodies = [
        {
            "data": [{"dataSetFileId": "f1"}],
            "_page": {"limit": 1, "count": 1},
            "_links": {"next": {"href": f"{EXPORT}/batches/b1/files?start=1&limit=1"}},
        },
        {"data": [{"dataSetFileId": "f2"}], "_page": {"limit": 1, "count": 1}},
    ]
    router.get(f"{EXPORT}/batches/b1/files").mock(
        side_effect=[httpx.Response(200, json=b) for b in bodies]
    )
    assert [f["dataSetFileId"] for f in client.list_batch_files("b1")] == ["f1", "f2"]


def test_iterate_stops_when_a_server_ignores_paging() -> None:
    body = {"segments": [{"id": "same"}], "page": {"totalPages": 50}, "link": {}}
    calls: list[PageRequest] = []

    def fetch(request: PageRequest) -> object:
        calls.append(request)
        return body

    items = list(iterate(fetch, PageRequest("/data/core/ups/segment/definitions"), Style.PAGE_LINK))
    assert items == [{"id": "same"}]
    assert len(calls) == 2  # the second page brought nothing new


def test_resolve_link_forms() -> None:
    current = PageRequest("/data/core/ups/config/mergePolicies", (("limit", "2"),))
    assert (
        resolve_link(current, "@/mergePolicies?start=X").url
        == "/data/core/ups/config/mergePolicies"
    )
    assert resolve_link(current, "/export/jobs/?offset=1").url == "/data/core/ups/export/jobs/"
    absolute = resolve_link(current, "https://platform.test/data/foundation/export/files/f?start=1")
    assert absolute == PageRequest(
        "https://platform.test/data/foundation/export/files/f", (("start", "1"),)
    )
    assert resolve_link(current, "/data/foundation/catalog/x").url == "/data/foundation/catalog/x"


def test_parse_page_link_last_page_has_no_next() -> None:
    page = parse_page_link(
        {"segments": [{"id": "a"}], "page": {"totalPages": 1}, "link": {}}, PageRequest("/x")
    )
    assert page.next is None and page.items == ({"id": "a"},)


def test_recent_jobs_read_one_page_only(client: AepClient, router: respx.Router) -> None:
    seg_route = router.get(f"{UPS}/segment/jobs").mock(return_value=httpx.Response(200, json={
        "_page": {"totalCount": 500, "pageSize": 2},
        "children": [{"id": "j2"}, {"id": "j1"}],
        "_links": {"next": {"href": "/segment/jobs?start=2&limit=2"}},
    }))
    exp_route = router.get(f"{UPS}/export/jobs").mock(return_value=httpx.Response(200, json={
        "records": [{"id": 2}, {"id": 1}],
        "page": {"sortField": "createdTime", "sort": "desc", "pageOffset": "9_1", "pageSize": 2},
        "link": {"next": "/export/jobs/?limit=2&offset=9_1"},
    }))
    assert [j["id"] for j in client.recent_segment_jobs(limit=2)] == ["j2", "j1"]
    assert [j["id"] for j in client.recent_export_jobs(limit=2)] == [2, 1]
    assert seg_route.call_count == 1 and exp_route.call_count == 1  # history is not walked
    params = seg_route.calls.last.request.url.params
    assert (params["limit"], params["sort"]) == ("2", "creationTime:desc")

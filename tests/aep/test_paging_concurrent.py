"""Paged lists fetched concurrently once the first page gives the total (issue 16): the same
requests as one page after another, items in the same order, at most ``read_concurrency`` in
flight; opaque tokens and lists without a total stay sequential."""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from segctl.aep import AepClient, AepConfig, ApiError
from segctl.aep._paging import Page, PageRequest, Style, fan_out, iterate, make_request
from segctl.sandbox import LocalSandbox

from .conftest import UPS

DEFS = f"{UPS}/segment/definitions"


class InFlight:
    """Counts requests being answered at once; with ``wait_for``, the requests after the first
    (the first page is always read alone) wait until that many are in flight, which only a
    concurrent reader achieves (a sequential one breaks the barrier after its timeout)."""

    def __init__(self, wait_for: int = 0) -> None:
        self._lock = threading.Lock()
        self.now = self.most = self.entered = 0
        self._barrier = threading.Barrier(wait_for, timeout=10) if wait_for > 1 else None

    def __enter__(self) -> None:
        with self._lock:
            self.now += 1
            self.entered += 1
            self.most = max(self.most, self.now)
            entered = self.entered
        if self._barrier is not None and 1 < entered <= 1 + self._barrier.parties:
            with contextlib.suppress(threading.BrokenBarrierError):
                self._barrier.wait()

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self.now -= 1


def definitions_server(total: int, *, base: int = 0, link: bool = True, size: int = 100,
                       flight: InFlight | None = None, grow_to: int | None = None
                       ) -> Callable[[httpx.Request], httpx.Response]:
    """Segment definitions as the sandbox answers them: ``page`` counted from ``base`` (an
    absent ``page`` is the first), a ``link.next`` unless ``link`` is False; ``grow_to`` adds
    definitions once the first page was answered."""
    state = {"total": total, "answered": 0}

    def answer(request: httpx.Request) -> httpx.Response:
        with flight or InFlight():
            count = state["total"]
            page = int(request.url.params.get("page", base)) - base
            items = [{"id": f"d{i:05d}"} for i in range(page * size, min((page + 1) * size,
                                                                          count))]
            body: dict[str, Any] = {
                "segments": items,
                "page": {"totalCount": count, "totalPages": math.ceil(count / size)},
                "link": {}}
            if link and (page + 1) * size < count:
                body["link"] = {"next": f"/segment/definitions?limit={size}&page={page + 1 + base}"}
            state["answered"] += 1
            if grow_to is not None:
                state["total"] = grow_to
            return httpx.Response(200, json=body)

    return answer


def _pages(route: respx.Route) -> list[str | None]:
    return [c.request.url.params.get("page") for c in route.calls]


@pytest.fixture
def concurrent(make_client: Callable[..., AepClient], ims: respx.Route) -> AepClient:
    return make_client(read_concurrency=4)


def test_definitions_are_read_concurrently_in_order_with_the_same_requests(
        concurrent: AepClient, router: respx.Router) -> None:
    flight = InFlight(wait_for=4)  # the second to fifth pages must all be in flight at once
    route = router.get(DEFS).mock(side_effect=definitions_server(950, flight=flight))
    items = concurrent.list_segment_definitions()
    assert [d["id"] for d in items] == [f"d{i:05d}" for i in range(950)]
    assert route.call_count == math.ceil(950 / 100)  # 10 pages: the first, then 9 at once
    assert _pages(route)[0] is None
    assert sorted(_pages(route)[1:], key=int) == [str(p) for p in range(1, 10)]
    assert flight.most == 4  # at most read_concurrency in flight, and that many reached


def test_a_sequential_client_reads_one_page_at_a_time(make_client: Callable[..., AepClient],
                                                      ims: respx.Route,
                                                      router: respx.Router) -> None:
    flight = InFlight()
    route = router.get(DEFS).mock(side_effect=definitions_server(950, flight=flight))
    items = make_client(read_concurrency=1).list_segment_definitions()
    assert len(items) == 950 and flight.most == 1
    assert _pages(route) == [None, *(str(p) for p in range(1, 10))]


@pytest.mark.parametrize(("base", "expected_requests"), [(0, 3), (1, 4)])
def test_guessed_page_numbers_work_from_either_base(
        concurrent: AepClient, router: respx.Router, base: int, expected_requests: int) -> None:
    """No link: page numbers are guessed, and whether they count from 0 or 1 is undocumented.
    Counting from 1, page=1 repeats the first page and the last one is read after the fan."""
    route = router.get(DEFS).mock(side_effect=definitions_server(250, base=base, link=False))
    items = concurrent.list_segment_definitions()
    assert [d["id"] for d in items] == [f"d{i:05d}" for i in range(250)]
    assert route.call_count == expected_requests
    assert sorted(p or "" for p in _pages(route)) == sorted(
        ["", *(str(p) for p in range(1, expected_requests))])


def test_offset_links_fan_out_over_start(concurrent: AepClient, router: respx.Router) -> None:
    """Audiences (and segment jobs, schedules) as the sandbox pages them: ``start`` offsets."""
    total = 230

    def answer(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params.get("start", 0))
        window = [{"id": f"a{i:04d}"} for i in range(start, min(start + 100, total))]
        links = {}
        if start + 100 < total:
            links["next"] = {"href": f"@/audiences?start={start + 100}&limit=100"
                                     f"&totalCount={total}"}
        return httpx.Response(200, json={"children": window, "_links": links,
                                         "_page": {"totalCount": total}})

    route = router.get(f"{UPS}/audiences").mock(side_effect=answer)
    assert [a["id"] for a in concurrent.list_audiences()] == [f"a{i:04d}" for i in range(total)]
    assert sorted(c.request.url.params.get("start", "0") for c in route.calls) == \
        ["0", "100", "200"]


def test_an_opaque_token_stays_sequential(concurrent: AepClient, router: respx.Router) -> None:
    flight = InFlight()
    tokens = ["", "K1JJRDpF", "Q2xvdWQ", ""]

    def answer(request: httpx.Request) -> httpx.Response:
        with flight:
            index = tokens.index(request.url.params.get("start", ""))
            nxt = {"href": f"@/mergePolicies?start={tokens[index + 1]}&limit=1"} \
                if tokens[index + 1] else {}
            return httpx.Response(200, json={"children": [{"id": f"mp{index}"}],
                                             "_page": {"totalCount": 3}, "_links": {"next": nxt}})

    route = router.get(f"{UPS}/config/mergePolicies").mock(side_effect=answer)
    assert [p["id"] for p in concurrent.list_merge_policies(limit=1)] == ["mp0", "mp1", "mp2"]
    assert route.call_count == 3 and flight.most == 1


def test_a_failing_page_raises_and_leaves_nothing_running(
        concurrent: AepClient, router: respx.Router) -> None:
    served = definitions_server(950)

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("page") == "3":
            return httpx.Response(400, json={"title": "bad page"})
        return served(request)

    router.get(DEFS).mock(side_effect=answer)
    with pytest.raises(ApiError) as caught:
        concurrent.list_segment_definitions()
    assert caught.value.status == 400
    assert not [t for t in threading.enumerate() if t.name.startswith("segctl-page")]


def test_a_collection_that_grew_is_read_on_past_the_first_total(
        concurrent: AepClient, router: respx.Router) -> None:
    route = router.get(DEFS).mock(side_effect=definitions_server(250, grow_to=420))
    items = concurrent.list_segment_definitions()
    assert [d["id"] for d in items] == [f"d{i:05d}" for i in range(420)]
    assert route.call_count == 5  # 3 fanned from the first total, then 4 and 5 one by one


def test_a_server_ignoring_the_page_parameter_costs_at_most_the_pages_in_flight() -> None:
    calls: list[PageRequest] = []
    lock = threading.Lock()

    def fetch(request: PageRequest) -> Any:
        with lock:
            calls.append(request)
        return {"segments": [{"id": "same"}], "page": {"totalCount": 5000},
                "link": {"next": "/segment/definitions?page=1"}}

    items = list(iterate(fetch, PageRequest(DEFS), Style.PAGE_LINK, concurrency=4))
    assert items == [{"id": "same"}]
    assert len(calls) <= 1 + 4  # the first page, then the fan stops at its first stale page


def test_a_page_that_comes_back_empty_ends_the_fan(concurrent: AepClient,
                                                   router: respx.Router) -> None:
    served = definitions_server(950)

    def answer(request: httpx.Request) -> httpx.Response:
        if int(request.url.params.get("page", 0)) >= 5:  # deleted meanwhile
            return httpx.Response(200, json={"segments": [], "page": {"totalCount": 500},
                                             "link": {}})
        return served(request)

    router.get(DEFS).mock(side_effect=answer)
    assert len(concurrent.list_segment_definitions()) == 500


def test_a_consumer_stopping_early_leaves_nothing_running() -> None:
    def fetch(request: PageRequest) -> Any:
        page = int(request.param("page") or 0)
        return {"segments": [{"id": f"{page}-{i}"} for i in range(10)],
                "page": {"totalCount": 1000},
                "link": {"next": f"/segment/definitions?page={page + 1}"} if page < 99 else {}}

    walk: Iterator[dict[str, Any]] = iterate(fetch, PageRequest(DEFS), Style.PAGE_LINK,
                                             concurrency=4)
    assert [next(walk)["id"] for _ in range(25)][-1] == "2-4"
    walk.close()  # type: ignore[attr-defined]
    assert not [t for t in threading.enumerate() if t.name.startswith("segctl-page")]


def test_against_the_served_sandbox_the_same_lists_and_request_counts(tmp_path: Path) -> None:
    with LocalSandbox(tmp_path / "sandbox", sample_profiles=20) as sbx:
        with AepClient(AepConfig.local(), transport=sbx.transport()) as seeder:
            for i in range(250):
                seeder.create_segment_definition({
                    "name": f"S{i:03d}", "schema": {"name": "_xdm.context.profile"},
                    "expression": {"type": "PQL", "format": "pql/text",
                                   "value": f"person.birthYear = {1900 + i}"}})
        with sbx.serve() as server:
            reads = {}
            for concurrency in (1, 4):
                with AepClient(AepConfig.local(server.url),
                               read_concurrency=concurrency) as client:
                    client.list_merge_policies()  # the token, and the connection, first
                    before = client.request_count
                    definitions = client.list_segment_definitions()
                    middle = client.request_count
                    audiences = client.list_audiences()
                    reads[concurrency] = (definitions, audiences, middle - before,
                                          client.request_count - middle)
    sequential, concurrent = reads[1], reads[4]
    assert [d["name"] for d in concurrent[0]] == [d["name"] for d in sequential[0]]
    assert sorted(d["name"] for d in concurrent[0]) == [f"S{i:03d}" for i in range(250)]
    assert [a["id"] for a in concurrent[1]] == [a["id"] for a in sequential[1]]
    assert len(concurrent[1]) >= 250
    assert concurrent[2:] == sequential[2:] == (3, math.ceil(len(concurrent[1]) / 100))


# -- fan_out: which answers give every remaining request --------------------------------------

def _page(total: int | None, size: int, nxt: PageRequest | None, guessed: bool = False) -> Page:
    return Page(tuple({"id": str(i)} for i in range(size)), nxt, total, guessed)


def test_fan_out_by_page_number_and_by_offset() -> None:
    first = make_request(DEFS, {"limit": 100})
    by_page = fan_out(first, _page(350, 100, first.with_param("page", 1)))
    assert [r.param("page") for r in by_page] == ["1", "2", "3"]
    assert all(r.param("limit") == "100" for r in by_page)
    by_start = fan_out(first, _page(350, 100, PageRequest(DEFS, (
        ("start", "100"), ("limit", "100"), ("totalCount", "350")))))
    assert [r.param("start") for r in by_start] == ["100", "200", "300"]
    assert all(r.param("totalCount") == "350" for r in by_start)  # what the server added
    start_as_page = fan_out(make_request(DEFS, {"limit": 2}), _page(7, 2, PageRequest(DEFS, (
        ("start", "1"), ("limit", "2")))))  # AEP-API.md §3's audiences example
    assert [r.param("start") for r in start_as_page] == ["1", "2", "3"]
    from_later = fan_out(make_request(DEFS, {"start": 40, "limit": 10}),
                         _page(45, 10, make_request(DEFS, {"start": 50, "limit": 10})))
    assert from_later == ()  # 10 items on this page and 45 in all: nothing after it
    capped = fan_out(first, _page(10**9, 100, first.with_param("page", 1)), max_pages=50)
    assert len(capped) == 49


@pytest.mark.parametrize("page", [
    _page(None, 100, make_request(DEFS, {"limit": 100, "page": 1})),  # no total
    _page(350, 100, None),  # no next
    _page(100, 100, make_request(DEFS, {"limit": 100, "page": 1})),  # all on the first page
    _page(350, 0, make_request(DEFS, {"limit": 100, "page": 1})),  # nothing on it
    _page(350, 100, make_request(DEFS, {"limit": 100, "start": "K1JJRDpF"})),  # opaque token
    _page(350, 100, make_request(DEFS, {"limit": 100, "start": 1538573416687})),  # a time
    _page(350, 100, make_request(DEFS, {"limit": 100, "offset": "1538573416687_722"})),
    _page(350, 100, make_request(DEFS, {"limit": 50, "page": 1})),  # two parameters moved
    _page(350, 100, make_request(DEFS, {"limit": 100, "page": 3})),  # a jump
    _page(350, 100, make_request(DEFS, {"limit": 100, "page": "01"})),  # not plain
    _page(350, 100, make_request(f"{UPS}/audiences", {"limit": 100, "page": 1})),  # elsewhere
    _page(350, 100, make_request(DEFS, {"limit": 100, "cursor": 1})),  # not a known name
])
def test_fan_out_refuses_what_is_not_page_arithmetic(page: Page) -> None:
    assert fan_out(make_request(DEFS, {"limit": 100}), page) == ()

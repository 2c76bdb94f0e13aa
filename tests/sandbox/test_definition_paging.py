"""Definition list pages ordered and cut in SQL (default creationTime sort) agree with the
general path: the same documents, order (ties in creation order), totals and links."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.conftest import UPS, definition

DEFS = f"{UPS}/segment/definitions"


def _names(doc: dict) -> list[str]:
    return [s["name"] for s in doc["segments"]]


@pytest.fixture
def seven(local: httpx.Client) -> list[dict]:
    """Seven definitions created at the same instant (the fixture's clock is fixed)."""
    made = []
    for i in range(7):
        response = local.post(DEFS, json=definition(f"S{i}", 'person.gender = "female"'))
        assert response.status_code == 200, response.text
        made.append(response.json())
    assert len({d["creationTime"] for d in made}) == 1
    return made


@pytest.mark.parametrize("direction", ["desc", "asc"])
@pytest.mark.parametrize(("limit", "start"), [(3, 0), (2, 1), (100, 0), (4, 5), (1, 9)])
def test_sql_pages_match_the_general_path(local: httpx.Client, seven: list[dict], direction: str,
                                          limit: int, start: int) -> None:
    in_order = [d["name"] for d in seven]
    expected = in_order[::-1] if direction == "desc" else in_order
    seen: list[str] = []
    for page in range(5):
        params = {"limit": limit, "page": page, "start": start,
                  "sort": f"creationTime:{direction}"}
        fast = local.get(DEFS, params=params).json()
        # a filter that keeps everything takes the general (decode and sort in Python) path
        general = local.get(DEFS, params={**params, "evaluationInfo.synchronous.enabled":
                                          "false"}).json()
        # same page; the links differ only by the filter the general request carries along
        assert {**fast, "link": None} == {**general, "link": None}
        assert bool(fast["link"]) == bool(general["link"])
        assert fast["page"]["totalCount"] == 7
        offset = start + page * limit
        assert _names(fast) == expected[offset:offset + limit]
        seen.extend(_names(fast))
        if not fast["link"]:
            break
    assert seen == expected[start:]


def test_default_order_is_newest_first_with_full_documents(local: httpx.Client,
                                                           seven: list[dict]) -> None:
    doc = local.get(DEFS).json()
    assert doc["segments"] == seven[::-1]
    assert doc["page"]["sortField"] == "creationTime" and doc["page"]["sort"] == "desc"
    assert local.get(DEFS, params={"start": 10**30}).json()["segments"] == []


def test_next_link_keeps_filters_and_sort(local: httpx.Client, seven: list[dict]) -> None:
    params = {"limit": 2, "sort": "name:asc", "evaluationInfo.batch.enabled": "true"}
    names: list[str] = []
    doc = local.get(DEFS, params=params).json()
    while True:
        names += _names(doc)
        nxt = doc["link"].get("next")
        if not nxt:
            break
        assert "sort=name%3Aasc" in nxt and "evaluationInfo.batch.enabled=true" in nxt
        doc = local.get(nxt.replace("/data/core/ups", UPS, 1)).json()
    assert names == sorted(d["name"] for d in seven)

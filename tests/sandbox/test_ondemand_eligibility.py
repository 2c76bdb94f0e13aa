"""Only batch-evaluated, people, Segmentation Service audiences can be evaluated on demand
(help/segmentation/methods/flexible-audience-evaluation.md, Guardrails and FAQ). The sandbox
refuses any other id on ``POST /segment/jobs`` with 400 (segmentation.yaml createSegmentJob;
the body is the sandbox's choice, FIDELITY.md), stores no job and spends none of the ration;
scheduled runs and the ``"*"`` form are unaffected."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from segctl.aep.ration import AEP_DEFAULT, usage
from segctl.sandbox import LocalSandbox
from segctl.sandbox.jobs.eligibility import INELIGIBLE_CODE
from segctl.sandbox.jobs.models import KIND
from tests.sandbox.conftest import UPS, definition, gateway_headers, issue_token

START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
STREAMING = {"batch": {"enabled": False}, "continuous": {"enabled": True},
             "synchronous": {"enabled": False}}
EDGE = {"batch": {"enabled": False}, "continuous": {"enabled": False},
        "synchronous": {"enabled": True}}


@pytest.fixture
def clock() -> list[datetime]:
    return [START]


@pytest.fixture
def opened(data_dir: Path, clock: list[datetime], monkeypatch: pytest.MonkeyPatch
           ) -> Iterator[tuple[LocalSandbox, httpx.Client]]:
    monkeypatch.delenv("SEGCTL_ONDEMAND_RATION", raising=False)  # AEP's ration, by default
    app = LocalSandbox(data_dir, now=lambda: clock[0])
    client = httpx.Client(transport=app.transport(), base_url="http://sandbox.test")
    client.headers.update(gateway_headers(issue_token(client)))
    try:
        yield app, client
    finally:
        app.wait_idle(60)
        client.close()
        app.close()


def _segment(client: httpx.Client, name: str, info: dict[str, Any] | None = None,
             schema: str = "_xdm.context.profile") -> str:
    body = definition(name, 'person.gender = "female"')
    body["schema"] = {"name": schema}
    if info is not None:
        body["evaluationInfo"] = info
    made = client.post(f"{UPS}/segment/definitions", json=body)
    assert made.status_code == 200, made.text
    return str(made.json()["id"])


def _job(client: httpx.Client, ids: list[str]) -> httpx.Response:
    return client.post(f"{UPS}/segment/jobs", json=[{"segmentId": i} for i in ids])


def _jobs(app: LocalSandbox) -> list[dict[str, Any]]:
    return [doc for _, doc in app.store.all_scopes(KIND)]


def _refused(answer: httpx.Response, ids: list[str]) -> list[str]:
    """Assert the documented status and the chosen body; return the per-id messages."""
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["status"] == 400 and body["type"].endswith(INELIGIBLE_CODE)
    assert "cannot be evaluated on demand" in body["title"]
    entries = body["errors"]["400"]
    assert [e["code"] for e in entries] == [INELIGIBLE_CODE] * len(ids)
    for sid, entry in zip(ids, entries, strict=True):
        assert entry["message"].startswith(f"Segment {sid} is not eligible")
    return [str(e["message"]) for e in entries]


def test_streaming_and_edge_definitions_are_refused(
        opened: tuple[LocalSandbox, httpx.Client]) -> None:
    app, client = opened
    streaming = _segment(client, "streamed", STREAMING)
    edge = _segment(client, "on edge", EDGE)
    stored = client.get(f"{UPS}/segment/definitions/{streaming}").json()
    assert stored["evaluationInfo"]["continuous"]["enabled"] is True  # eligible PQL: kept
    [why] = _refused(_job(client, [streaming]), [streaming])
    assert "evaluated by streaming segmentation" in why
    [why] = _refused(_job(client, [edge]), [edge])
    assert "evaluated by edge segmentation" in why
    assert _jobs(app) == []


def test_a_definition_that_is_not_a_people_audience_is_refused(
        opened: tuple[LocalSandbox, httpx.Client]) -> None:
    app, client = opened
    events = _segment(client, "event audience", schema="_xdm.context.experienceevent")
    [why] = _refused(_job(client, [events]), [events])
    assert "not a people audience (schema _xdm.context.experienceevent" in why
    assert _jobs(app) == []


def test_audiences_of_other_origins_are_refused(
        opened: tuple[LocalSandbox, httpx.Client]) -> None:
    app, client = opened
    seeded = client.get(f"{UPS}/audiences", params={"limit": 100}).json()["children"]
    upload = next(a for a in seeded if a.get("originName") == "CUSTOM_UPLOAD")
    made = client.post(f"{UPS}/audiences", json={
        "name": "Composed", "type": "ExternalSegment", "originName": "AUDIENCE_ORCHESTRATION",
        "namespace": "AO", "audienceId": "ao-1"})
    assert made.status_code == 201, made.text
    ids = [upload["id"], made.json()["id"]]
    whys = _refused(_job(client, ids), ids)
    assert "origin CUSTOM_UPLOAD" in whys[0] and "origin AUDIENCE_ORCHESTRATION" in whys[1]
    assert _jobs(app) == []


def test_one_ineligible_id_refuses_the_request_and_names_only_it(
        opened: tuple[LocalSandbox, httpx.Client]) -> None:
    app, client = opened
    batch = _segment(client, "batch one")
    streaming = _segment(client, "streamed", STREAMING)
    _refused(_job(client, [batch, streaming]), [streaming])
    assert _jobs(app) == []
    unknown = _job(client, [batch, "no-such-id"])  # an unknown id stays the 404-like 400
    assert unknown.status_code == 400 and unknown.json()["type"].endswith("UPAPI-113430-400")


def test_refusals_spend_none_of_the_ration(opened: tuple[LocalSandbox, httpx.Client]) -> None:
    app, client = opened
    batch = _segment(client, "batch one")
    streaming = _segment(client, "streamed", STREAMING)
    for _ in range(3):
        _refused(_job(client, [streaming]), [streaming])
    now = int(START.timestamp() * 1000)
    spent = usage(AEP_DEFAULT, _jobs(app), now)
    assert (spent.used_today, spent.used_this_year, spent.available) == (0, 0, 2)
    assert [_job(client, [batch]).status_code for _ in range(3)] == [200, 200, 429]
    spent = usage(AEP_DEFAULT, _jobs(app), now)
    assert (spent.used_today, spent.used_this_year, spent.available) == (2, 2, 0)
    # with the ration spent, an ineligible request still answers its own 400
    _refused(_job(client, [streaming]), [streaming])


def test_scheduled_runs_and_the_all_segments_form_are_unaffected(
        opened: tuple[LocalSandbox, httpx.Client]) -> None:
    app, client = opened
    batch = _segment(client, "batch one")
    _segment(client, "streamed", STREAMING)
    everything = client.post(f"{UPS}/segment/jobs", json={
        "schema": {"name": "_xdm.context.profile"}, "segments": [{"segmentId": "*"}]})
    assert everything.status_code == 200, everything.text
    assert app.wait_idle(60)
    started = app.advance(timedelta(hours=14))  # 02:00 the next day: the 01:00 run is due
    assert [job["source"] for _, job in started] == ["scheduler"]
    assert app.wait_idle(60)
    finished = client.get(f"{UPS}/segment/jobs/{started[0][1]['id']}").json()
    assert finished["status"] == "SUCCEEDED"
    assert batch in finished["metrics"]["segmentedProfileCounter"]

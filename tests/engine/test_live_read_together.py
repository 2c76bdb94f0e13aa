"""A live-state read sends its independent lists together (issue 16: over HTTP each one is
mostly a wait), and reads the same state, with the same error, as one after another."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

import httpx
import pytest
import respx

from segctl.aep import AepClient, AepConfig, ApiError, ManualClock, Secret
from segctl.engine import read_live_state

PLATFORM = "https://platform.test"
IMS = "https://ims.test/ims/token/v3"
UPS = f"{PLATFORM}/data/core/ups"
CATALOG = f"{PLATFORM}/data/foundation/catalog"
LISTS = 5  # audiences, merge policies, the dataset, segment jobs, export jobs

AUDIENCE = {"id": "a1", "name": "A", "audienceId": "a1", "namespace": "AEPSegments",
            "expression": {"type": "PQL", "format": "pql/text", "value": "a = 1"}}


def fake_aep(router: respx.Router, *, wait_for: int = 0,
             failing: dict[str, float] | None = None) -> list[int]:
    """Answers for the five lists; with ``wait_for`` each waits until that many requests are
    in flight (which only reads sent together reach); ``failing`` maps a path part to a delay
    after which that list answers 400. Returns a one-item list: the most in flight at once."""
    lock = threading.Lock()
    state = {"now": 0, "most": 0}
    barrier = threading.Barrier(wait_for, timeout=10) if wait_for > 1 else None
    most = [0]

    def answering(body: object, part: str) -> Callable[[httpx.Request], httpx.Response]:
        def answer(request: httpx.Request) -> httpx.Response:
            with lock:
                state["now"] += 1
                state["most"] = most[0] = max(state["most"], state["now"])
            try:
                if barrier is not None:
                    barrier.wait()
                if failing and part in failing:
                    time.sleep(failing[part])
                    return httpx.Response(400, json={"title": f"{part} refused"})
                return httpx.Response(200, json=body)
            finally:
                with lock:
                    state["now"] -= 1
        return answer

    router.post(IMS).mock(return_value=httpx.Response(200, json={
        "access_token": "tok", "token_type": "bearer", "expires_in": 86399}))
    router.get(f"{UPS}/audiences").mock(side_effect=answering(
        {"children": [AUDIENCE], "_page": {"totalCount": 1}, "_links": {}}, "audiences"))
    router.get(f"{UPS}/config/mergePolicies").mock(side_effect=answering(
        {"children": [{"id": "mp", "default": True}], "_page": {"totalCount": 1}},
        "mergePolicies"))
    router.get(f"{CATALOG}/dataSets").mock(side_effect=answering(
        {"ds1": {"name": "Out"}}, "dataSets"))
    router.get(f"{UPS}/segment/jobs").mock(side_effect=answering(
        {"children": [{"id": "j1", "creationTime": 10**13}], "_page": {"totalCount": 1}}, "jobs"))
    router.get(f"{UPS}/export/jobs").mock(side_effect=answering(
        {"records": [{"id": 7}], "page": {}, "link": {}}, "export"))
    return most


def client_for(router: respx.Router, read_concurrency: int) -> AepClient:
    config = AepConfig(client_id="id", client_secret=Secret("secret-value-123"),
                       org_id="ORG@AdobeOrg", platform_url=PLATFORM, ims_url=IMS)
    return AepClient(config, httpx.MockTransport(router.handler), clock=ManualClock(),
                     rng=random.Random(1), read_concurrency=read_concurrency)


def test_the_lists_of_a_live_read_are_in_flight_together() -> None:
    router = respx.Router(assert_all_called=True)
    most = fake_aep(router, wait_for=LISTS)
    with client_for(router, 8) as client:
        state = read_live_state(client, ["Out"])
    assert most[0] == LISTS
    assert [s["id"] for s in state.segments] == ["a1"]
    assert [p["id"] for p in state.merge_policies] == ["mp"]
    assert state.datasets["Out"]["id"] == "ds1"
    assert [j["id"] for j in state.segment_jobs] == ["j1"]
    assert [j["id"] for j in state.export_jobs] == [7]


def test_one_at_a_time_reads_the_same_state() -> None:
    states = []
    for concurrency in (1, 8):
        router = respx.Router()
        most = fake_aep(router)
        with client_for(router, concurrency) as client:
            states.append(read_live_state(client, ["Out"]))
        if concurrency == 1:
            assert most[0] == 1  # never two requests at once
    assert states[0] == states[1]
    assert states[0].fingerprint() == states[1].fingerprint()


@pytest.mark.parametrize("concurrency", [1, 8])
def test_the_error_raised_does_not_depend_on_timing(concurrency: int) -> None:
    """Two lists fail; the one read first in order (audiences) is reported, though it
    answers last."""
    router = respx.Router()
    fake_aep(router, failing={"audiences": 0.2, "export": 0.0})
    with client_for(router, concurrency) as client, pytest.raises(ApiError) as caught:
        read_live_state(client, ["Out"])
    assert caught.value.status == 400 and (caught.value.path or "").endswith("/audiences")
    assert not [t for t in threading.enumerate() if t.name.startswith("segctl-read")]

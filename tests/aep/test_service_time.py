"""The client's "now" is the service's: the ``Date`` header of its answers (RFC 9110 §6.6.1),
not this machine's clock. A plan counts AEP's on-demand ration by the sandbox's day (issue 15:
after `segctl sandbox advance 1d` the local clock and the sandbox's disagree by a day; a real
runner's clock can be off too), and Retry-After dates are measured from the answer's Date."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import respx

from segctl.aep import AepClient, ManualClock
from segctl.engine.state import read_live_state

from .conftest import UPS

DAY = 86_400.0
DEF = {"id": "d1", "name": "Segment d1"}


def http_date(epoch: float) -> str:
    return format_datetime(datetime.fromtimestamp(epoch, tz=UTC), usegmt=True)


def test_without_a_date_header_now_is_the_local_clock(
        client: AepClient, router: respx.Router, clock: ManualClock) -> None:
    router.get(f"{UPS}/segment/definitions/d1").mock(return_value=httpx.Response(200, json=DEF))
    assert client.service_time() == clock.time()  # nothing answered yet
    client.get_segment_definition("d1")
    assert client.service_time() == clock.time()


def test_now_is_the_latest_answers_date_moved_on_by_the_local_clock(
        client: AepClient, router: respx.Router, clock: ManualClock) -> None:
    ahead = clock.time() + DAY  # a sandbox whose clock was advanced a day
    router.get(f"{UPS}/segment/definitions/d1").mock(return_value=httpx.Response(
        200, json=DEF, headers={"Date": http_date(ahead)}))
    client.get_segment_definition("d1")
    assert client.service_time() == ahead
    clock.advance(30)
    assert client.service_time() == ahead + 30


def test_an_unreadable_date_is_ignored(
        client: AepClient, router: respx.Router, clock: ManualClock) -> None:
    router.get(f"{UPS}/segment/definitions/d1").mock(return_value=httpx.Response(
        200, json=DEF, headers={"Date": "yesterday-ish"}))
    client.get_segment_definition("d1")
    assert client.service_time() == clock.time()


def test_retry_after_date_is_measured_from_the_answers_date(
        client: AepClient, router: respx.Router, clock: ManualClock) -> None:
    """The service's clock is a day ahead of ours: its Retry-After date is 3 s after its Date,
    so the client waits 3 s, not a day and 3 s."""
    served = clock.time() + DAY
    route = router.get(f"{UPS}/segment/definitions/d1").mock(side_effect=[
        httpx.Response(429, json={"error_code": "429050", "message": "Too many requests"},
                       headers={"Date": http_date(served),
                                "Retry-After": http_date(served + 3)}),
        httpx.Response(200, json=DEF),
    ])
    assert client.get_segment_definition("d1") == DEF
    assert route.call_count == 2
    assert clock.sleeps == [3.0]


def _live_sandbox(router: respx.Router, date: str | None, jobs: list[dict[str, object]]) -> None:
    """Every list read_live_state makes, empty but the segment jobs; dated ``date``."""
    headers = {"Date": date} if date else {}
    empty = {"children": [], "_page": {"totalCount": 0, "pageSize": 0}, "_links": {}}
    router.get(f"{UPS}/audiences").mock(return_value=httpx.Response(
        200, json=empty, headers=headers))
    router.get(f"{UPS}/config/mergePolicies").mock(return_value=httpx.Response(
        200, json=empty, headers=headers))
    router.get(f"{UPS}/segment/jobs").mock(return_value=httpx.Response(
        200, json={**empty, "children": jobs, "_page": {"totalCount": len(jobs)}},
        headers=headers))
    router.get(f"{UPS}/export/jobs").mock(return_value=httpx.Response(
        200, json={"records": []}, headers=headers))


def _jobs_at(epoch_ms: int, count: int) -> list[dict[str, object]]:
    return [{"id": f"j{i}", "status": "SUCCEEDED", "source": "api", "creationTime": epoch_ms,
             "segments": [{"segmentId": "d1"}],
             "sandbox": {"name": "dev-sandbox", "type": "development"}}
            for i in range(count)]


def test_the_ration_counts_by_the_sandboxs_day(
        client: AepClient, router: respx.Router, clock: ManualClock) -> None:
    """Two on-demand jobs a minute ago by our clock; the sandbox says it is a day later, so by
    its day none was today (and the ration's year and history start are its year's)."""
    now = clock.time()
    _live_sandbox(router, http_date(now + DAY), _jobs_at(int((now - 60) * 1000), 2))
    state = read_live_state(client, ())
    assert state.ration is not None
    assert (state.ration.used_today, state.ration.used_this_year) == (0, 2)
    assert state.ration.available == 2


def test_the_ration_counts_by_the_local_clock_when_no_date_is_sent(
        client: AepClient, router: respx.Router, clock: ManualClock) -> None:
    now = clock.time()
    _live_sandbox(router, None, _jobs_at(int((now - 60) * 1000), 2))
    state = read_live_state(client, ())
    assert state.ration is not None
    assert (state.ration.used_today, state.ration.available) == (2, 0)


def test_a_sandbox_clock_behind_ours_counts_its_day_too(
        client: AepClient, router: respx.Router, clock: ManualClock) -> None:
    """The reverse: our clock runs a day ahead of the service's; the jobs of the service's
    today are today's, though by our clock they were yesterday."""
    now = clock.time()
    _live_sandbox(router, http_date(now - DAY), _jobs_at(int((now - DAY - 60) * 1000), 2))
    state = read_live_state(client, ())
    assert state.ration is not None
    assert (state.ration.used_today, state.ration.available) == (2, 0)

"""Retries: 429 with Retry-After, 5xx until the budget is spent, transport errors, budgets."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest
import respx

from segctl.aep import (
    AepClient,
    ManualClock,
    RateLimitedError,
    RetryPolicy,
    ServerError,
    TransportError,
)
from segctl.aep._errors import BadRequestError, NotFoundError
from segctl.aep._errors import ServerError as _ServerError
from segctl.aep._retry import RetryAction, decide_retry, parse_retry_after

from .conftest import UPS

DEF = {"id": "d1", "name": "Segment d1"}


def test_429_with_retry_after_then_success(
    client: AepClient, router: respx.Router, clock: ManualClock
) -> None:
    route = router.get(f"{UPS}/segment/definitions/d1").mock(
        side_effect=[
            httpx.Response(
                429,
                json={"error_code": "429050", "message": "Too many requests"},
                headers={"Retry-After": "7"},
            ),
            httpx.Response(200, json=DEF),
        ]
    )
    assert client.get_segment_definition("d1") == DEF
    assert route.call_count == 2
    assert clock.sleeps == [7.0]


def test_retry_after_as_http_date(
    client: AepClient, router: respx.Router, clock: ManualClock
) -> None:
    when = datetime.fromtimestamp(clock.time() + 12, tz=UTC)
    router.get(f"{UPS}/segment/definitions/d1").mock(
        side_effect=[
            httpx.Response(503, headers={"Retry-After": format_datetime(when, usegmt=True)}),
            httpx.Response(200, json=DEF),
        ]
    )
    assert client.get_segment_definition("d1") == DEF
    assert clock.sleeps == [pytest.approx(12.0, abs=1.0)]


def test_503_until_attempts_run_out_carries_request_id(
    client: AepClient, router: respx.Router, clock: ManualClock
) -> None:
    responses = [
        httpx.Response(
            503, json={"message": "Service Unavailable"}, headers={"x-request-id": f"req-{n}"}
        )
        for n in range(1, 5)
    ]
    route = router.get(f"{UPS}/segment/definitions/d1").mock(side_effect=responses)
    with pytest.raises(ServerError) as info:
        client.get_segment_definition("d1")
    assert route.call_count == 4  # max_attempts of the fixture's policy
    assert info.value.status == 503
    assert info.value.request_id == "req-4"
    assert "req-4" in str(info.value)
    assert len(clock.sleeps) == 3
    # full jitter: every wait within its exponential ceiling (0.5, 1, 2)
    for n, slept in enumerate(clock.sleeps, start=1):
        assert 0.0 <= slept <= 0.5 * 2 ** (n - 1)


def test_total_time_budget_stops_retrying(
    make_client: Callable[..., AepClient],
    ims: respx.Route,
    router: respx.Router,
    clock: ManualClock,
) -> None:
    client = make_client(retry=RetryPolicy(max_attempts=10, max_elapsed=30))
    route = router.get(f"{UPS}/segment/jobs/j1").mock(
        return_value=httpx.Response(429, headers={"Retry-After": "20"})
    )
    with pytest.raises(RateLimitedError) as info:
        client.get_segment_job("j1")
    assert route.call_count == 2 and clock.sleeps == [20.0]
    assert info.value.retry_after == 20.0


def test_transport_errors_are_retried_for_reads(client: AepClient, router: respx.Router) -> None:
    route = router.get(f"{UPS}/segment/jobs/j1").mock(
        side_effect=[
            httpx.ConnectError("refused"),
            httpx.ReadTimeout("slow"),
            httpx.Response(200, json={"id": "j1"}),
        ]
    )
    assert client.get_segment_job("j1") == {"id": "j1"}
    assert route.call_count == 3


def test_transport_error_when_retries_run_out(client: AepClient, router: respx.Router) -> None:
    router.get(f"{UPS}/segment/jobs/j1").mock(side_effect=httpx.ConnectError("connection refused"))
    with pytest.raises(TransportError) as info:
        client.get_segment_job("j1")
    assert info.value.request_id  # our own x-request-id, so the attempt can be traced
    assert "could not connect to platform.test" in str(info.value)


def test_patch_and_delete_are_retried_freely(client: AepClient, router: respx.Router) -> None:
    patch = router.patch(f"{UPS}/segment/definitions/d1").mock(
        side_effect=[httpx.Response(502), httpx.ReadTimeout("t"), httpx.Response(200, json=DEF)]
    )
    delete = router.delete(f"{UPS}/segment/definitions/d1").mock(
        side_effect=[httpx.Response(500), httpx.Response(200)]
    )
    assert client.update_segment_definition("d1", {"name": "Segment d1"}) == DEF
    client.delete_segment_definition("d1")
    assert (patch.call_count, delete.call_count) == (3, 2)


def test_client_errors_are_not_retried(client: AepClient, router: respx.Router) -> None:
    route = router.get(f"{UPS}/segment/definitions/d1").mock(
        return_value=httpx.Response(400, json={})
    )
    with pytest.raises(BadRequestError):
        client.get_segment_definition("d1")
    assert route.call_count == 1


def test_parse_retry_after() -> None:
    assert parse_retry_after("3", 0) == 3.0
    assert parse_retry_after(" 0.5 ", 0) == 0.5
    assert parse_retry_after("-4", 0) == 0.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470.0) == 10.0
    assert parse_retry_after("soon", 0) is None
    assert parse_retry_after(None, 0) is None


def test_decide_never_replays_an_ambiguous_create_without_lookup() -> None:
    policy = RetryPolicy()
    error = _ServerError("boom", status=503)
    rng = random.Random(1)
    common = dict(after_ambiguous=False, attempt=1, elapsed=0.0, policy=policy, rng=rng)
    def action(replayable: bool, can_recover: bool) -> RetryAction:
        return decide_retry(error, replayable=replayable, can_recover=can_recover,
                            **common).action

    assert action(False, False) is RetryAction.RAISE
    assert action(False, True) is RetryAction.RECOVER
    assert action(True, False) is RetryAction.RETRY
    throttled = RateLimitedError("slow down", status=429, retry_after=2)
    decision = decide_retry(throttled, replayable=False, can_recover=False, **common)
    assert (decision.action, decision.delay) == (RetryAction.RETRY, 2)


def test_delete_whose_answer_was_lost_is_done(client: AepClient, router: respx.Router) -> None:
    route = router.delete(f"{UPS}/segment/definitions/d1").mock(
        side_effect=[httpx.ReadTimeout("lost"), httpx.Response(404, json={"message": "not found"})]
    )
    client.delete_segment_definition("d1")  # the first attempt did it
    assert route.call_count == 2
    router.delete(f"{UPS}/segment/definitions/d2").mock(
        return_value=httpx.Response(404, json={"message": "not found"})
    )
    with pytest.raises(NotFoundError):
        client.delete_segment_definition("d2")


def test_reads_and_lookups_get_more_attempts_than_writes() -> None:
    policy = RetryPolicy(max_attempts=3, read_attempts=6, base_delay=0.0)
    error = _ServerError("boom", status=503)
    rng = random.Random(1)

    def action(replayable: bool, attempt: int) -> RetryAction:
        return decide_retry(error, replayable=replayable, can_recover=True, after_ambiguous=True,
                      attempt=attempt, elapsed=0.0, policy=policy, rng=rng).action

    assert action(False, 2) is RetryAction.RECOVER  # a create: looked up, never replayed blindly
    assert action(False, 3) is RetryAction.RAISE
    assert action(True, 5) is RetryAction.RETRY  # a read (or the lookup itself) goes on
    assert action(True, 6) is RetryAction.RAISE
    assert RetryPolicy(max_attempts=2).attempts(True) == 2  # no read budget: the same


def test_the_default_budget_is_bounded_in_time() -> None:
    from segctl.aep._retry import DEFAULT_RETRY

    assert (DEFAULT_RETRY.attempts(False), DEFAULT_RETRY.attempts(True)) == (10, 14)
    late = decide_retry(_ServerError("boom", status=503), replayable=True, can_recover=False,
                  after_ambiguous=False, attempt=1, elapsed=119.9, policy=DEFAULT_RETRY,
                  rng=random.Random(3))
    assert late.action is RetryAction.RAISE and "budget" in late.reason

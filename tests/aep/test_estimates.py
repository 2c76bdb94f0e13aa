"""The client's estimate contract (help/segmentation/api/previews-and-estimates.md,
segmentation.yaml createPreview / retrieveEstimate / deletePreview): the request sent, the typed
answer, and polling NEW -> RUNNING -> RESULT_READY | FAILED with growing waits and a timeout."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from segctl.aep import AepClient, ApiError, Estimate, EstimateTimeout, ManualClock

from .conftest import UPS

PID = "MDphcHAtMzJiZTAzMjgtM2YzMS00YjY0LThkODQtYWNkMGM0ZmJkYWQzOmU4OTAwNjhiLWY1Y2EtNGE4Zi1hNmI1LWFmODdmZjBjYWFjMzow"  # noqa: E501
CREATED = {"state": "NEW", "previewQueryId": "e890068b-f5ca-4a8f-a6b5-af87ff0caac3",
           "previewQueryStatus": "NEW", "previewId": PID, "previewExecutionId": 0}
LINKS = {"preview": "https://platform.adobe.io/data/core/ups/preview/app-32be/execution/0"
                    "?previewQueryId=e890068b"}


def reading(state: str, **counts: object) -> dict[str, object]:
    """An EstimateResponse (segmentation.yaml) with the doc's field set."""
    body: dict[str, object] = {
        "estimatedSize": 0, "numRowsToRead": 0, "estimatedNamespaceDistribution": [],
        "state": state, "profilesReadSoFar": 0, "standardError": 0,
        "error": {"description": "", "traceback": ""}, "profilesMatchedSoFar": 0,
        "totalRows": 0, "confidenceInterval": "95%", "_links": LINKS}
    body.update(counts)
    return body


READY = reading("RESULT_READY", estimatedSize=35935, numRowsToRead=1_000_000,
                profilesReadSoFar=1_000_000, standardError=120, profilesMatchedSoFar=11986,
                totalRows=3_000_000)


def test_start_estimate_posts_the_documented_body_and_returns_the_shared_id(
        client: AepClient, router: respx.Router) -> None:
    create = router.post(f"{UPS}/preview").mock(
        return_value=httpx.Response(201, json=CREATED,
                                    headers={"X-Location": f"/data/core/ups/preview/{PID}"}))
    assert client.start_estimate("xEvent.metrics.commerce.abandons.value > 0") == PID
    sent = create.calls[0].request
    assert json.loads(sent.content) == {
        "predicateExpression": "xEvent.metrics.commerce.abandons.value > 0",
        "predicateType": "pql/text", "predicateModel": "_xdm.context.profile",
        "graphType": "none"}
    assert sent.headers["x-sandbox-name"] == "dev-sandbox"
    assert create.call_count == 1


def test_an_answer_without_a_preview_id_is_an_error(
        client: AepClient, router: respx.Router) -> None:
    router.post(f"{UPS}/preview").mock(return_value=httpx.Response(201, json={"state": "NEW"}))
    with pytest.raises(ApiError, match="no previewId"):
        client.start_estimate("true")


def test_the_documented_answer_reads_as_a_typed_estimate(
        client: AepClient, router: respx.Router) -> None:
    router.get(f"{UPS}/estimate/{PID}").mock(return_value=httpx.Response(200, json=READY))
    estimate = client.read_estimate(PID)
    assert estimate == Estimate(PID, "RESULT_READY", 35935, 120, "95%", 1_000_000, 11986,
                                1_000_000, 3_000_000, "")
    assert estimate.ready and estimate.done and not estimate.exact
    assert estimate.margin == round(1.96 * 120) == 235


def test_a_full_read_is_exact_and_odd_values_are_tolerated() -> None:
    full = Estimate.from_api("p", reading("RESULT_READY", estimatedSize="812",
                                          numRowsToRead=2000, profilesReadSoFar=2000,
                                          totalRows=2000, standardError=None))
    assert (full.estimated_size, full.standard_error, full.exact, full.margin) == (812, 0, True, 0)
    odd = Estimate.from_api("p", {"state": "running", "confidenceInterval": "42%",
                                  "error": "boom"})
    assert (odd.state, odd.margin, odd.error, odd.done) == ("RUNNING", None, "boom", False)
    # a sample that matched nobody has a standard error of 0 too, but is not a count
    assert not Estimate.from_api("p", reading("RESULT_READY", numRowsToRead=100,
                                              profilesReadSoFar=100, totalRows=500)).exact


def test_wait_polls_through_the_states_with_growing_waits(
        client: AepClient, router: respx.Router, clock: ManualClock) -> None:
    route = router.get(f"{UPS}/estimate/{PID}").mock(side_effect=[
        httpx.Response(200, json=reading("NEW")),
        httpx.Response(200, json=reading("RUNNING", numRowsToRead=1_000_000,
                                         profilesReadSoFar=250_000)),
        httpx.Response(200, json=reading("RUNNING", numRowsToRead=1_000_000,
                                         profilesReadSoFar=750_000)),
        httpx.Response(200, json=READY),
    ])
    seen: list[tuple[str, float]] = []
    final = client.wait_estimate(PID, timeout=60, interval=1.0,
                                 on_reading=lambda e, t: seen.append((e.progress(), t)))
    assert final.ready and final.estimated_size == 35935
    assert route.call_count == 4
    assert clock.sleeps == [1.0, 1.5, 2.25]
    assert seen == [("NEW", 0.0), ("RUNNING, 250000/1000000 profiles read", 1.0),
                    ("RUNNING, 750000/1000000 profiles read", 2.5), ("RESULT_READY", 4.75)]


def test_a_failed_estimate_is_returned_with_its_reason(
        client: AepClient, router: respx.Router) -> None:
    router.get(f"{UPS}/estimate/{PID}").mock(return_value=httpx.Response(200, json=reading(
        "FAILED", error={"description": "Query timed out", "traceback": ""})))
    final = client.wait_estimate(PID, timeout=10)
    assert (final.state, final.done, final.ready, final.error) == \
        ("FAILED", True, False, "Query timed out")


def test_wait_gives_up_at_the_timeout_with_the_last_reading(
        client: AepClient, router: respx.Router, clock: ManualClock) -> None:
    router.get(f"{UPS}/estimate/{PID}").mock(return_value=httpx.Response(
        200, json=reading("RUNNING", numRowsToRead=10, profilesReadSoFar=3)))
    with pytest.raises(EstimateTimeout) as caught:
        client.wait_estimate(PID, timeout=5, interval=1.0)
    assert caught.value.last is not None and caught.value.last.profiles_read == 3
    assert "timed out after 5s; the estimate is still RUNNING, 3/10 profiles read" in str(
        caught.value)
    assert sum(clock.sleeps) <= 5


def test_an_unknown_estimate_is_not_found(client: AepClient, router: respx.Router) -> None:
    router.get(f"{UPS}/estimate/{PID}").mock(return_value=httpx.Response(404, json={}))
    with pytest.raises(ApiError) as caught:
        client.wait_estimate(PID, timeout=10)
    assert caught.value.status == 404


def test_cancel_deletes_the_preview_and_a_missing_one_is_already_gone(
        client: AepClient, router: respx.Router) -> None:
    route = router.delete(f"{UPS}/preview/{PID}").mock(side_effect=[
        httpx.Response(200, json={"status": True, "message": "KILLED"}),
        httpx.Response(404, json={}),
    ])
    client.cancel_estimate(PID)
    client.cancel_estimate(PID)  # 404: already gone, not an error
    assert route.call_count == 2

"""A POST that creates is never replayed blindly after an ambiguous failure."""

from __future__ import annotations

import httpx
import pytest
import respx

from segctl.aep import AepClient, ConflictError, ManualClock, ServerError, TransportError

from .conftest import CATALOG, UPS

NEW_DEF = {
    "name": "Female customers",
    "expression": {"type": "PQL", "format": "pql/text", "value": 'person.gender = "female"'},
    "schema": {"name": "_xdm.context.profile"},
}
CREATED = {**NEW_DEF, "id": "d-new"}


def _defs_listing(*segments: dict[str, object]) -> httpx.Response:
    return httpx.Response(
        200, json={"segments": list(segments), "page": {"totalPages": 1}, "link": {}}
    )


def test_timeout_on_create_then_lookup_finds_it(client: AepClient, router: respx.Router) -> None:
    post = router.post(f"{UPS}/segment/definitions").mock(
        side_effect=httpx.ReadTimeout("no answer")
    )
    listing = router.get(f"{UPS}/segment/definitions").mock(
        return_value=_defs_listing({"id": "other", "name": "Other"}, CREATED)
    )
    assert client.create_segment_definition(NEW_DEF) == CREATED
    assert post.call_count == 1  # no duplicate
    assert listing.call_count == 1


def test_5xx_on_create_with_nothing_found_is_sent_again(
    client: AepClient, router: respx.Router
) -> None:
    post = router.post(f"{UPS}/segment/definitions").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json=CREATED)]
    )
    router.get(f"{UPS}/segment/definitions").mock(return_value=_defs_listing())
    assert client.create_segment_definition(NEW_DEF) == CREATED
    assert post.call_count == 2


def test_duplicate_answer_after_an_ambiguous_attempt_is_recovered(
    client: AepClient, router: respx.Router
) -> None:
    post = router.post(f"{UPS}/segment/definitions").mock(
        side_effect=[
            httpx.RemoteProtocolError("connection dropped"),
            httpx.Response(422, json={"message": "Segment definition already exists"}),
        ]
    )
    # the first lookup races the server's write; the second one sees it
    router.get(f"{UPS}/segment/definitions").mock(
        side_effect=[_defs_listing(), _defs_listing(CREATED)]
    )
    assert client.create_segment_definition(NEW_DEF) == CREATED
    assert post.call_count == 2


def test_duplicate_on_a_first_attempt_is_a_conflict(
    client: AepClient, router: respx.Router
) -> None:
    router.post(f"{UPS}/segment/definitions").mock(
        return_value=httpx.Response(422, json={"message": "Segment definition already exists"})
    )
    with pytest.raises(ConflictError):
        client.create_segment_definition(NEW_DEF)


def test_refused_connection_is_safe_to_resend(client: AepClient, router: respx.Router) -> None:
    post = router.post(f"{UPS}/segment/definitions").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(200, json=CREATED)]
    )
    listing = router.get(f"{UPS}/segment/definitions")
    assert client.create_segment_definition(NEW_DEF) == CREATED
    assert post.call_count == 2 and listing.call_count == 0


def test_dataset_create_timeout_found_by_name(client: AepClient, router: respx.Router) -> None:
    post = router.post(f"{CATALOG}/dataSets").mock(side_effect=httpx.WriteTimeout("t"))
    lookup = router.get(f"{CATALOG}/dataSets").mock(
        return_value=httpx.Response(
            200, json={"5c8c3c555033b814b69f947f": {"name": "Female customers"}}
        )
    )
    assert client.create_dataset({"name": "Female customers"}) == "5c8c3c555033b814b69f947f"
    assert post.call_count == 1
    assert lookup.calls[0].request.url.params["name"] == "Female customers"


def test_segment_job_timeout_found_among_recent_jobs(
    client: AepClient, router: respx.Router, clock: ManualClock
) -> None:
    now_ms = int(clock.time() * 1000)
    post = router.post(f"{UPS}/segment/jobs").mock(side_effect=httpx.ReadTimeout("t"))
    job = {
        "id": "job-new",
        "source": "api",
        "creationTime": now_ms,
        "segments": [{"segmentId": "a"}, {"segmentId": "b"}],
    }
    stale = {
        "id": "job-old",
        "source": "api",
        "creationTime": now_ms - 86_400_000,
        "segments": [{"segmentId": "a"}, {"segmentId": "b"}],
    }
    router.get(f"{UPS}/segment/jobs").mock(
        return_value=httpx.Response(
            200, json={"_page": {"totalCount": 2}, "children": [stale, job], "_links": {"next": {}}}
        )
    )
    assert client.create_segment_jobs(["a", "b"]) == [job]
    assert post.call_count == 1


def test_export_job_5xx_found_by_dataset_and_segments(
    client: AepClient, router: respx.Router, clock: ManualClock
) -> None:
    body = {
        "destination": {"datasetId": "ds1"},
        "schema": {"name": "_xdm.context.profile"},
        "filter": {"segments": [{"segmentId": "a"}]},
    }
    found = {
        **body,
        "id": 11037,
        "creationTime": int(clock.time() * 1000),
        "status": "NEW",
        "destination": {"dataSetId": "ds1", "batchId": "b1"},
    }
    post = router.post(f"{UPS}/export/jobs").mock(return_value=httpx.Response(504))
    router.get(f"{UPS}/export/jobs").mock(side_effect=[
        httpx.Response(200, json={"records": [], "page": {}, "link": {}}),  # before the POST
        httpx.Response(200, json={"records": [found], "page": {}, "link": {}}),
    ])
    assert client.create_export_job(body)["id"] == 11037
    assert post.call_count == 1


def test_export_job_lookup_never_takes_an_earlier_run(
    client: AepClient, router: respx.Router, clock: ManualClock
) -> None:
    body = {
        "destination": {"datasetId": "ds1"},
        "schema": {"name": "_xdm.context.profile"},
        "filter": {"segments": [{"segmentId": "a"}]},
    }
    earlier = {**body, "id": 10000, "creationTime": int(clock.time() * 1000) - 60_000,
               "status": "SUCCEEDED"}
    fresh = {**body, "id": 10001, "creationTime": int(clock.time() * 1000), "status": "NEW"}
    post = router.post(f"{UPS}/export/jobs").mock(side_effect=[
        httpx.Response(503),  # refused: the gateway never passed it on
        httpx.Response(200, json=fresh),
    ])
    router.get(f"{UPS}/export/jobs").mock(
        return_value=httpx.Response(200, json={"records": [earlier], "page": {}, "link": {}})
    )
    # the run from a minute ago matches dataset and segments, yet it is not this call's job
    assert client.create_export_job(body)["id"] == 10001
    assert post.call_count == 2


def test_create_without_a_lookup_is_never_replayed(client: AepClient, router: respx.Router) -> None:
    post = router.post(f"{UPS}/preview").mock(return_value=httpx.Response(502))
    with pytest.raises(ServerError) as info:
        client.create_preview('person.gender = "female"')
    assert post.call_count == 1
    assert "may have been applied" in (info.value.hint or "")


def test_create_timeout_without_a_lookup_is_reported(
    client: AepClient, router: respx.Router
) -> None:
    timeout = router.post(f"{UPS}/preview").mock(side_effect=httpx.ReadTimeout("t"))
    with pytest.raises(TransportError):
        client.create_preview("true")
    assert timeout.call_count == 1


def test_throttled_create_is_resent(client: AepClient, router: respx.Router) -> None:
    post = router.post(f"{UPS}/preview").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "1"}),
            httpx.Response(201, json={"previewId": "p1", "state": "NEW"}),
        ]
    )
    assert client.create_preview("true")["previewId"] == "p1"
    assert post.call_count == 2

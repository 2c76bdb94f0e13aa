"""OAuth S2S: the token call, caching, renewal on expiry and on 401, headers on every call."""

from __future__ import annotations

import threading
from collections.abc import Callable
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from segctl.aep import AepClient, AuthError, ManualClock
from segctl.aep._auth import AccessToken, parse_token_body
from segctl.aep._redact import Secret

from .conftest import CATALOG, CLIENT_SECRET, IMS, ORG, TOKEN, UPS, token_response


def test_token_request_is_a_client_credentials_form(
    client: AepClient, ims: respx.Route, router: respx.Router
) -> None:
    router.get(f"{UPS}/segment/jobs/j1").mock(return_value=httpx.Response(200, json={"id": "j1"}))
    client.get_segment_job("j1")
    form = parse_qs(ims.calls[0].request.content.decode())
    assert form == {
        "grant_type": ["client_credentials"],
        "client_id": ["test-client-id"],
        "client_secret": [CLIENT_SECRET],
        "scope": [
            "openid,session,AdobeID,read_organizations,additional_info.projectedProductContext"
        ],
    }
    assert ims.calls[0].request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "authorization" not in ims.calls[0].request.headers


def test_every_platform_call_carries_the_headers(
    client: AepClient, ims: respx.Route, router: respx.Router
) -> None:
    routes = [
        router.get(f"{UPS}/segment/jobs/j1").mock(
            return_value=httpx.Response(200, json={"id": "j1"})
        ),
        router.post(f"{UPS}/segment/conversion").mock(return_value=httpx.Response(200, json={})),
        router.delete(f"{UPS}/preview/p1").mock(
            return_value=httpx.Response(200, json={"status": True})
        ),
        router.get(f"{CATALOG}/dataSets/abc").mock(
            return_value=httpx.Response(200, json={"abc": {}})
        ),
    ]
    client.get_segment_job("j1")
    client.convert_segment_definition({"expression": {}})
    client.delete_preview("p1")
    client.get_dataset("abc")
    for route in routes:
        headers = route.calls[0].request.headers
        assert headers["authorization"] == f"Bearer {TOKEN}"
        assert headers["x-api-key"] == "test-client-id"
        assert headers["x-gw-ims-org-id"] == ORG
        assert headers["x-sandbox-name"] == "dev-sandbox"
        assert headers["x-request-id"]
    assert ims.call_count == 1  # one token for all four calls
    assert client.request_count == 5


def test_token_renewed_before_expiry(
    make_client: Callable[..., AepClient], router: respx.Router, clock: ManualClock
) -> None:
    ims = router.post(IMS).mock(
        side_effect=[token_response("tok-one", 3600), token_response("tok-two", 3600)]
    )
    route = router.get(f"{UPS}/segment/jobs/j1").mock(return_value=httpx.Response(200, json={}))
    client = make_client()
    client.get_segment_job("j1")
    clock.advance(3350)  # within five minutes of expiry: renew first
    client.get_segment_job("j1")
    clock.advance(100)
    client.get_segment_job("j1")
    assert ims.call_count == 2
    assert [c.request.headers["authorization"] for c in route.calls] == [
        "Bearer tok-one",
        "Bearer tok-two",
        "Bearer tok-two",
    ]


def test_token_refreshed_once_on_401(
    make_client: Callable[..., AepClient], router: respx.Router
) -> None:
    ims = router.post(IMS).mock(
        side_effect=[token_response("revoked-tok"), token_response("fresh-tok")]
    )
    route = router.get(f"{UPS}/segment/jobs/j1").mock(
        side_effect=[
            httpx.Response(
                401, json={"error_code": "401013", "message": "Oauth token is not valid"}
            ),
            httpx.Response(200, json={"id": "j1"}),
        ]
    )
    client = make_client()
    assert client.get_segment_job("j1") == {"id": "j1"}
    assert ims.call_count == 2
    assert [c.request.headers["authorization"] for c in route.calls] == [
        "Bearer revoked-tok",
        "Bearer fresh-tok",
    ]


def test_second_401_is_an_auth_error_not_a_loop(
    client: AepClient, ims: respx.Route, router: respx.Router
) -> None:
    route = router.get(f"{UPS}/segment/jobs/j1").mock(
        return_value=httpx.Response(
            401, json={"error_code": "401013", "message": "Oauth token is not valid"}
        )
    )
    with pytest.raises(AuthError) as info:
        client.get_segment_job("j1")
    assert route.call_count == 2 and ims.call_count == 2
    assert info.value.code == "401013"


def test_ims_refusal_is_an_auth_error_without_the_secret(
    make_client: Callable[..., AepClient], router: respx.Router
) -> None:
    ims = router.post(IMS).mock(
        return_value=httpx.Response(
            400,
            json={"error": "invalid_client", "error_description": f"bad secret {CLIENT_SECRET}"},
        )
    )
    route = router.get(f"{UPS}/segment/jobs/j1")
    client = make_client()
    with pytest.raises(AuthError) as info:
        client.get_segment_job("j1")
    assert ims.call_count == 1 and route.call_count == 0
    assert info.value.code == "invalid_client"
    assert CLIENT_SECRET not in info.value.format()
    assert "AEP_IMS_URL" in (info.value.hint or "")


def test_ims_outage_is_retried(
    make_client: Callable[..., AepClient], router: respx.Router, clock: ManualClock
) -> None:
    ims = router.post(IMS).mock(
        side_effect=[httpx.Response(503), httpx.ConnectError("x"), token_response()]
    )
    router.get(f"{UPS}/segment/jobs/j1").mock(return_value=httpx.Response(200, json={}))
    make_client().get_segment_job("j1")
    assert ims.call_count == 3


def test_threads_share_one_token(client: AepClient, ims: respx.Route, router: respx.Router) -> None:
    router.get(url__regex=rf"{UPS}/segment/jobs/j\d+").mock(
        return_value=httpx.Response(200, json={})
    )
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            barrier.wait()
            for k in range(5):
                client.get_segment_job(f"j{n * 10 + k}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert ims.call_count == 1
    assert client.request_count == 41


def test_token_body_parsing() -> None:
    assert parse_token_body({"access_token": "t", "expires_in": 86399}) == ("t", 86399.0)
    assert parse_token_body({"access_token": "t", "expires_in": 86399992}) == ("t", 86399.992)
    with pytest.raises(AuthError):
        parse_token_body({"token_type": "bearer"})
    token = AccessToken(Secret("t"), 60, obtained_at=0)
    assert token.fresh(29, margin=300) and not token.fresh(31, margin=300)

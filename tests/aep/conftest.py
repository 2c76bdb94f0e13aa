"""Fixtures for the AEP client's own contract: a respx router as the transport, a manual clock."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import respx

from segctl.aep import AepClient, AepConfig, ManualClock, RetryPolicy, Secret

PLATFORM = "https://platform.test"
IMS = "https://ims.test/ims/token/v3"
UPS = PLATFORM + "/data/core/ups"
CATALOG = PLATFORM + "/data/foundation/catalog"
EXPORT = PLATFORM + "/data/foundation/export"
CLIENT_SECRET = "test-client-secret-9f8e7d"
TOKEN = "test-access-token-abc123"
ORG = "TESTORG000@AdobeOrg"


def token_response(token: str = TOKEN, expires_in: int = 86399) -> httpx.Response:
    body = {"access_token": token, "token_type": "bearer", "expires_in": expires_in}
    return httpx.Response(200, json=body)


@pytest.fixture
def config() -> AepConfig:
    return AepConfig(
        client_id="test-client-id",
        client_secret=Secret(CLIENT_SECRET),
        org_id=ORG,
        sandbox="dev-sandbox",
        platform_url=PLATFORM,
        ims_url=IMS,
    )


@pytest.fixture
def router() -> Iterator[respx.Router]:
    r = respx.Router(assert_all_called=False)
    yield r


@pytest.fixture
def ims(router: respx.Router) -> respx.Route:
    return router.post(IMS).mock(return_value=token_response())


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def make_client(
    config: AepConfig, router: respx.Router, clock: ManualClock
) -> Iterator[Callable[..., AepClient]]:
    made: list[AepClient] = []

    def make(**kwargs: Any) -> AepClient:
        kwargs.setdefault("retry", RetryPolicy(max_attempts=4, base_delay=0.5, max_delay=8))
        client = AepClient(
            kwargs.pop("config", config),
            httpx.MockTransport(router.handler),
            clock=clock,
            rng=random.Random(7),
            **kwargs,
        )
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., AepClient], ims: respx.Route) -> AepClient:
    return make_client()

"""Fixtures for the fidelity suite: the sandbox in process (raw httpx, gateway headers set) and
an AepClient over a respx router for the documented variants the client must accept."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from segctl.aep import AepClient, AepConfig, ManualClock, RetryPolicy, Secret
from segctl.sandbox import LocalSandbox

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ORG = "FIDELITYORG00000000000@AdobeOrg"
CLIENT_ID = "fidelity-client"
UPS = "/data/core/ups"
CATALOG = "/data/foundation/catalog"
EXPORT = "/data/foundation/export"
PLATFORM = "https://platform.test"
IMS = "https://ims.test/ims/token/v3"
PROFILE = "_xdm.context.profile"


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[LocalSandbox]:
    app = LocalSandbox(tmp_path / "sandbox", now=lambda: NOW, sample_profiles=40)
    yield app
    app.close()


@pytest.fixture
def raw(sandbox: LocalSandbox) -> Iterator[httpx.Client]:
    """Raw httpx against the in-process sandbox, holding a token and the gateway headers."""
    with httpx.Client(base_url="http://sandbox.test", transport=sandbox.transport()) as client:
        token = client.post("/ims/token/v3", data={
            "grant_type": "client_credentials", "client_id": CLIENT_ID,
            "client_secret": "local-client-secret", "scope": "openid,AdobeID"}).json()
        client.headers.update({"Authorization": f"Bearer {token['access_token']}",
                               "x-api-key": CLIENT_ID, "x-gw-ims-org-id": ORG,
                               "x-sandbox-name": "prod"})
        yield client


@pytest.fixture
def local_client(sandbox: LocalSandbox) -> Iterator[AepClient]:
    """The real client against the in-process sandbox."""
    client = AepClient(AepConfig.local(), sandbox.transport(),
                       retry=RetryPolicy(max_attempts=1), clock=ManualClock(),
                       rng=random.Random(1))
    yield client
    client.close()


@pytest.fixture
def router() -> Iterator[respx.Router]:
    yield respx.Router(assert_all_called=False)


@pytest.fixture
def client(router: respx.Router) -> Iterator[AepClient]:
    """The client over respx: the server answers exactly what a test scripts."""
    router.post(IMS).mock(return_value=httpx.Response(
        200, json={"access_token": "fidelity-token", "token_type": "bearer", "expires_in": 86399}))
    config = AepConfig(client_id="fidelity-client", client_secret=Secret("fidelity-secret-x1"),
                       org_id=ORG, sandbox="prod", platform_url=PLATFORM, ims_url=IMS)
    made = AepClient(config, httpx.MockTransport(router.handler),
                     retry=RetryPolicy(max_attempts=1), clock=ManualClock(),
                     rng=random.Random(2))
    yield made
    made.close()


def definition(name: str, text: str = 'person.gender = "female"', **extra: Any
               ) -> dict[str, Any]:
    return {"name": name, "schema": {"name": PROFILE},
            "expression": {"type": "PQL", "format": "pql/text", "value": text}, **extra}


def wait(client: httpx.Client, path: str, done: Callable[[dict[str, Any]], bool],
         timeout: float = 60.0) -> dict[str, Any]:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        doc: dict[str, Any] = client.get(path).json()
        if done(doc):
            return doc
        time.sleep(0.02)
    raise AssertionError(f"{path} never finished")

"""Fixtures: a seeded sandbox data directory, the sandbox served on 127.0.0.1 (random port) and
a raw httpx client that holds a token and the gateway headers."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from segctl.sandbox import LocalSandbox, SandboxServer
from segctl.sandbox.profilestore import profiles as sample_profiles

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ORG = "TESTORG0000000000000000@AdobeOrg"
CLIENT_ID = "test-client"
CLIENT_SECRET = "local-client-secret"
SAMPLE_PROFILES = 300
UPS = "/data/core/ups"
CATALOG = "/data/foundation/catalog"
EXPORT = "/data/foundation/export"


def fixed_now() -> datetime:
    return NOW


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sample data generated once per session; each test copies it."""
    base = tmp_path_factory.mktemp("sample")
    sample_profiles.seed(base, SAMPLE_PROFILES, 42, NOW)
    return base


@pytest.fixture
def data_dir(tmp_path: Path, seeded_template: Path) -> Path:
    import shutil

    target = tmp_path / "sandbox"
    shutil.copytree(seeded_template, target)
    return target


@pytest.fixture
def sandbox(data_dir: Path) -> Iterator[LocalSandbox]:
    app = LocalSandbox(data_dir, now=fixed_now)
    yield app
    app.close()


def issue_token(client: httpx.Client, client_id: str = CLIENT_ID) -> str:
    response = client.post("/ims/token/v3", data={
        "grant_type": "client_credentials", "client_id": client_id,
        "client_secret": CLIENT_SECRET, "scope": "openid,AdobeID"})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def gateway_headers(token: str, sandbox_name: str = "prod", client_id: str = CLIENT_ID
                    ) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "x-api-key": client_id,
            "x-gw-ims-org-id": ORG, "x-sandbox-name": sandbox_name}


@pytest.fixture
def server(sandbox: LocalSandbox) -> Iterator[SandboxServer]:
    srv = sandbox.serve("127.0.0.1", 0)
    yield srv
    srv.close()


@pytest.fixture
def http(server: SandboxServer) -> Iterator[httpx.Client]:
    """A raw client against the served sandbox, authenticated for sandbox "prod"."""
    with httpx.Client(base_url=server.url, timeout=30) as client:
        client.headers.update(gateway_headers(issue_token(client)))
        yield client


@pytest.fixture
def local(sandbox: LocalSandbox) -> Iterator[httpx.Client]:
    """The same, in-process through the MockTransport."""
    with httpx.Client(base_url="http://sandbox.test", transport=sandbox.transport()) as client:
        client.headers.update(gateway_headers(issue_token(client)))
        yield client


def definition(name: str, pql_text: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "schema": {"name": "_xdm.context.profile"},
            "expression": {"type": "PQL", "format": "pql/text", "value": pql_text}, **extra}


def wait_job(client: httpx.Client, path: str, timeout: float = 60.0) -> dict[str, Any]:
    """Poll ``path`` until the job is terminal; returns the final document."""
    import time

    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while time.monotonic() < deadline:
        response = client.get(path)
        assert response.status_code == 200, response.text
        doc: dict[str, Any] = response.json()
        status = doc.get("status") or doc.get("state")
        if not seen or seen[-1] != status:
            seen.append(str(status))
        if status in ("SUCCEEDED", "FAILED", "CANCELLED", "RESULT_READY"):
            doc["_seen"] = seen
            return doc
        time.sleep(0.02)
    raise AssertionError(f"job {path} did not finish: {seen}")


@contextlib.contextmanager
def sandbox_client(app: LocalSandbox) -> Iterator[httpx.Client]:
    """A raw client of ``app`` in process (no server), authenticated for sandbox "prod"."""
    with httpx.Client(base_url="http://sandbox.test", transport=app.transport()) as client:
        client.headers.update(gateway_headers(issue_token(client)))
        yield client

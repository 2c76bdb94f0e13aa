"""IMS token endpoint and the gateway's header checks (AEP-API §2), over real HTTP."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from segctl.sandbox import LocalSandbox
from tests.sandbox.conftest import (
    CATALOG,
    CLIENT_ID,
    CLIENT_SECRET,
    UPS,
    fixed_now,
    gateway_headers,
    issue_token,
)


def test_token_endpoint_issues_bearer_tokens(server) -> None:
    with httpx.Client(base_url=server.url) as client:
        response = client.post("/ims/token/v3", data={
            "grant_type": "client_credentials", "client_id": "any", "client_secret": "x"})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 86399
    assert body["access_token"]


@pytest.mark.parametrize(("form", "status", "error"), [
    ({"grant_type": "password", "client_id": "a", "client_secret": "b"}, 400,
     "unsupported_grant_type"),
    ({"grant_type": "client_credentials", "client_id": "a"}, 400, "invalid_request"),
])
def test_token_endpoint_rejects_bad_forms(server, form, status, error) -> None:
    with httpx.Client(base_url=server.url) as client:
        response = client.post("/ims/token/v3", data=form)
    assert response.status_code == status
    assert response.json()["error"] == error


def test_restricted_credentials(data_dir: Path) -> None:
    app = LocalSandbox(data_dir, now=fixed_now, credentials=("only-me", CLIENT_SECRET))
    with httpx.Client(transport=app.transport(), base_url="http://x") as client:
        bad = client.post("/ims/token/v3", data={
            "grant_type": "client_credentials", "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET})
        good = client.post("/ims/token/v3", data={
            "grant_type": "client_credentials", "client_id": "only-me",
            "client_secret": CLIENT_SECRET})
    app.close()
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"
    assert good.status_code == 200


def _call(server, headers: dict[str, str]) -> httpx.Response:
    with httpx.Client(base_url=server.url) as client:
        return client.get(f"{UPS}/segment/definitions", headers=headers)


def test_gateway_errors(server) -> None:
    with httpx.Client(base_url=server.url) as client:
        token = issue_token(client)
    good = gateway_headers(token)
    cases = [
        ({k: v for k, v in good.items() if k != "Authorization"}, 403, "403010"),
        ({**good, "Authorization": "Bearer not-a-token"}, 401, "401013"),
        ({k: v for k, v in good.items() if k != "x-api-key"}, 403, "403000"),
        ({**good, "x-api-key": "someone-else"}, 403, "403003"),
        ({k: v for k, v in good.items() if k != "x-gw-ims-org-id"}, 400, "400003"),
    ]
    for headers, status, code in cases:
        response = _call(server, headers)
        assert response.status_code == status, (headers.keys(), response.text)
        assert response.json() == {"error_code": code, "message": response.json()["message"]}
    assert _call(server, good).status_code == 200
    missing_org = _call(server, {k: v for k, v in good.items() if k != "x-gw-ims-org-id"})
    assert "x-gw-ims-org-id" in missing_org.json()["message"]  # the error names the header


def test_no_sandbox_header_means_the_default_production_sandbox(server) -> None:
    """Destinations API "Getting started": without x-sandbox-name, requests are resolved under
    the prod sandbox."""
    with httpx.Client(base_url=server.url) as client:
        token = issue_token(client)
        good = gateway_headers(token)
        body = {"name": "in prod", "schema": {"name": "_xdm.context.profile"},
                "expression": {"type": "PQL", "format": "pql/text", "value": "true"}}
        headerless = {k: v for k, v in good.items() if k != "x-sandbox-name"}
        created = client.post(f"{UPS}/segment/definitions", json=body, headers=headerless)
        assert created.status_code == 200, created.text
        assert created.json()["sandbox"]["sandboxName"] == "prod"
        prod = client.get(f"{UPS}/segment/definitions",
                          headers={**good, "x-sandbox-name": "prod"}).json()["segments"]
        assert [s["name"] for s in prod] == ["in prod"]


def test_token_never_stored_in_clear(server, data_dir: Path) -> None:
    with httpx.Client(base_url=server.url) as client:
        token = issue_token(client)
    assert token.encode() not in (data_dir / "sandbox.db").read_bytes()
    wal = data_dir / "sandbox.db-wal"
    assert not wal.exists() or token.encode() not in wal.read_bytes()


def test_state_is_partitioned_by_sandbox(http: httpx.Client, server) -> None:
    created = http.post(f"{CATALOG}/dataSets", json={"name": "only in prod"})
    assert created.status_code == 201
    dev_headers = dict(http.headers)
    dev_headers["x-sandbox-name"] = "dev"
    with httpx.Client(base_url=server.url, headers=dev_headers) as dev:
        assert dev.get(f"{CATALOG}/dataSets").status_code == 403  # no sandbox "dev" yet
        assert http.post("/data/foundation/sandbox-management/sandboxes", json={
            "name": "dev", "title": "Development", "type": "development"}).status_code == 202
        assert dev.get(f"{CATALOG}/dataSets").json() == {}
        did = created.json()[0].rsplit("/", 1)[1]
        assert dev.get(f"{CATALOG}/dataSets/{did}").status_code == 404
    assert len(http.get(f"{CATALOG}/dataSets").json()) == 1

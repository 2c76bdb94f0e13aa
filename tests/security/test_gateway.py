"""The served sandbox checks credentials the way the AEP gateway does (AEP-API §2.3): over real
HTTP on 127.0.0.1, every missing or bad header is refused with the gateway's own error body
before the service acts, and `segctl sandbox serve` binds loopback unless told otherwise."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx

from tests.security.conftest import (
    CLIENT_ID,
    DEFINITIONS,
    ORG,
    SECRET,
    RecordingSandbox,
    clean_env,
    token_form,
)


def test_token_endpoint_checks_the_credentials(clock_and_server) -> None:
    _, http = clock_and_server
    for form in (token_form(secret=SECRET[:-1]), token_form(client_id="other"),
                 token_form(secret=SECRET + "x")):
        refused = http.post("/ims/token/v3", data=form)
        assert refused.status_code == 401
        assert refused.json() == {"error": "invalid_client",
                                  "error_description": "invalid client_id or client_secret"}
    assert http.post("/ims/token/v3", data=token_form()).status_code == 200


def test_gateway_refusals(clock_and_server) -> None:
    now, http = clock_and_server
    token = http.post("/ims/token/v3", data=token_form()).json()["access_token"]
    good = {"Authorization": f"Bearer {token}", "x-api-key": CLIENT_ID,
            "x-gw-ims-org-id": ORG, "x-sandbox-name": "prod"}
    without = lambda name: {k: v for k, v in good.items() if k != name}  # noqa: E731
    cases = [
        (without("Authorization"), 403, "403010", "Oauth token is missing."),
        ({**good, "Authorization": f"Basic {token}"}, 401, "401013", "Oauth token is not valid"),
        ({**good, "Authorization": token}, 401, "401013", "Oauth token is not valid"),
        ({**good, "Authorization": f"Bearer {token[:-2]}"}, 401, "401013",
         "Oauth token is not valid"),
        (without("x-api-key"), 403, "403000", "Api Key is required"),
        ({**good, "x-api-key": "someone-else"}, 403, "403003", "Api Key is invalid"),
        (without("x-gw-ims-org-id"), 400, "400003", "Missing header: x-gw-ims-org-id"),
        ({**good, "x-gw-ims-org-id": "not-an-org"}, 403, "403027", "User region is missing"),
        ({**good, "x-sandbox-name": "Not A Sandbox"}, 403, "403025", "Profile is not valid"),
    ]
    body = {"name": "never created", "schema": {"name": "_xdm.context.profile"},
            "expression": {"type": "PQL", "format": "pql/text", "value": "true"}}
    for headers, status, code, message in cases:
        for response in (http.get(DEFINITIONS, headers=headers),
                         http.post(DEFINITIONS, headers=headers, json=body)):
            assert response.status_code == status, (sorted(headers), response.text)
            assert response.json() == {"error_code": code, "message": message}
    listed = http.get(DEFINITIONS, headers=good)
    assert listed.status_code == 200 and listed.json()["segments"] == []  # nothing was created

    now[0] += timedelta(seconds=86399)  # the token's lifetime (expires_in) has passed
    expired = http.get(DEFINITIONS, headers=good)
    assert expired.status_code == 401
    assert expired.json() == {"error_code": "401013", "message": "Oauth token is not valid"}


def test_serve_binds_loopback_by_default(tmp_path: Path) -> None:
    env = clean_env(PYTHONUNBUFFERED="1")
    serve = subprocess.Popen(
        [sys.executable, "-m", "segctl", "sandbox", "serve", "--port", "0", "--data",
         str(tmp_path / "data"), "--client-id", CLIENT_ID, "--org-id", ORG],
        env={**env, "SEGCTL_SANDBOX_CLIENT_SECRET": SECRET}, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        first = serve.stdout.readline() if serve.stdout else ""
        match = re.search(r"listening on http://([^:/]+):(\d+)", first)
        assert match, first
        host, port = match.groups()
        assert host == "127.0.0.1"
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, trust_env=False) as http:
            answer = http.post("/ims/token/v3", data=token_form())
            headers = {"Authorization": f"Bearer {answer.json()['access_token']}",
                       "x-api-key": CLIENT_ID, "x-sandbox-name": "prod"}
            mine = http.get(DEFINITIONS, headers={**headers, "x-gw-ims-org-id": ORG})
            other = http.get(DEFINITIONS, headers={
                **headers, "x-gw-ims-org-id": "OTHERORG000000000000000@AdobeOrg"})
        assert answer.status_code == 200 and mine.status_code == 200
        assert other.status_code == 403 and other.json()["error_code"] == "403025"
    finally:
        serve.send_signal(signal.SIGTERM if os.name != "nt" else signal.SIGINT)
        out, err = serve.communicate(timeout=20)
    assert serve.returncode == 0, err
    assert SECRET not in first + out + err
    assert answer.json()["access_token"] not in first + out + err


def test_credentials_bound_to_an_org_refuse_other_orgs(data_dir: Path) -> None:
    """Real credentials belong to one IMS org; `serve --org-id` makes the sandbox say so."""
    app = RecordingSandbox(data_dir, credentials=(CLIENT_ID, SECRET), org_id=ORG)
    try:
        with httpx.Client(transport=app.transport(), base_url="http://sandbox.test") as http:
            token = http.post("/ims/token/v3", data=token_form()).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}", "x-api-key": CLIENT_ID,
                       "x-gw-ims-org-id": ORG, "x-sandbox-name": "prod"}
            assert http.get(DEFINITIONS, headers=headers).status_code == 200
            other = http.get(DEFINITIONS, headers={
                **headers, "x-gw-ims-org-id": "OTHERORG000000000000000@AdobeOrg"})
    finally:
        app.close()
    assert other.status_code == 403
    assert other.json() == {"error_code": "403025", "message": "Profile is not valid"}

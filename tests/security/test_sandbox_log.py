"""`segctl --debug sandbox serve` logs each request line; IMS also accepts the token form as
query parameters, so the line must not carry the client secret or a token."""

from __future__ import annotations

import logging

import pytest

from tests.security.conftest import DEFINITIONS, assert_clean, token_form


def test_request_lines_hold_no_credentials(
        clock_and_server, caplog: pytest.LogCaptureFixture) -> None:
    """IMS accepts the form as query parameters too; the request line the server logs at DEBUG
    (`segctl --debug sandbox serve`) must not carry the secret or the token."""
    _, http = clock_and_server
    caplog.set_level(logging.DEBUG)
    answer = http.post("/ims/token/v3", params=token_form())
    assert answer.status_code == 200
    token = answer.json()["access_token"]
    http.get(DEFINITIONS, params={"access_token": token})
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("segctl.sandbox")]
    assert any("/ims/token/v3" in line for line in lines)
    assert_clean("\n".join(lines), [token], "the sandbox server's log")


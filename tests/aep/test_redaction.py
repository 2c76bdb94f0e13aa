"""Secrets never reach logs, exception text or reprs."""

from __future__ import annotations

import logging

import httpx
import pytest
import respx

from segctl.aep import AepClient, ApiError, Secret
from segctl.aep._redact import RedactingFilter, redact_headers, redact_json, redact_text

from .conftest import CLIENT_SECRET, IMS, TOKEN, UPS


def test_debug_log_shows_traffic_with_secrets_masked(
    client: AepClient, ims: respx.Route, router: respx.Router, caplog: pytest.LogCaptureFixture
) -> None:
    router.post(f"{UPS}/segment/definitions").mock(
        return_value=httpx.Response(
            200,
            json={"id": "d1", "name": "n", "access_token": TOKEN},
            headers={"x-request-id": "rq-9"},
        )
    )
    with caplog.at_level(logging.DEBUG, logger="segctl.aep"):
        client.create_segment_definition({"name": "n", "expression": {"value": "x"}})
    text = caplog.text
    assert "→ POST https://ims.test/ims/token/v3" in text
    assert "→ POST https://platform.test/data/core/ups/segment/definitions" in text
    assert "← 200 POST" in text and "rq-9" in text
    assert "Bearer ***" in text
    assert "client_secret=***" in text
    assert CLIENT_SECRET not in text
    assert TOKEN not in text


def test_errors_and_reprs_hold_no_secrets(
    client: AepClient, ims: respx.Route, router: respx.Router, caplog: pytest.LogCaptureFixture
) -> None:
    router.get(f"{UPS}/segment/jobs/j1").mock(
        return_value=httpx.Response(
            400,
            json={"message": f"bad header Authorization: Bearer {TOKEN} (client {CLIENT_SECRET})"},
        )
    )
    with caplog.at_level(logging.DEBUG, logger="segctl.aep"), pytest.raises(ApiError) as info:
        client.get_segment_job("j1")
    error = info.value
    for text in (
        str(error),
        repr(error),
        error.format(),
        error.message,
        caplog.text,
        repr(client),
        repr(client.config),
        str(client.config),
    ):
        assert TOKEN not in text
        assert CLIENT_SECRET not in text


def test_log_filter_masks_records_from_anywhere(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("segctl.aep")
    assert any(isinstance(f, RedactingFilter) for f in logger.filters)
    with caplog.at_level(logging.DEBUG, logger="segctl.aep"):
        logger.debug("sending %s", "Authorization: Bearer eyJhbGciOi.payload.sig")
        logger.debug('body {"access_token": "eyJzzz", "expires_in": 5}')
    assert "eyJhbGciOi" not in caplog.text and "eyJzzz" not in caplog.text
    assert '"expires_in": 5' in caplog.text


def test_redaction_helpers() -> None:
    assert redact_text("x my-secret-value y", ["my-secret-value"]) == "x *** y"
    assert redact_text("client_secret=abc&scope=openid") == "client_secret=***&scope=openid"
    assert redact_headers({"Authorization": "Bearer abc", "x-api-key": "cid"}) == {
        "Authorization": "Bearer ***",
        "x-api-key": "cid",
    }
    assert redact_json({"a": [{"Token": "t"}], "b": 1}) == {"a": [{"Token": "***"}], "b": 1}
    secret = Secret("hunter22")
    assert "hunter22" not in f"{secret} {secret!r} {[secret]}"
    assert secret.reveal() == "hunter22"


def test_ims_url_from_config_is_used(
    client: AepClient, ims: respx.Route, router: respx.Router
) -> None:
    router.get(f"{UPS}/segment/jobs/j1").mock(return_value=httpx.Response(200, json={}))
    client.get_segment_job("j1")
    assert str(ims.calls[0].request.url) == IMS

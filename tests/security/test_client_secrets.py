"""The client against the served sandbox over real HTTP: every failure it can meet (refused
credentials, lost connections, 5xx, 429, a server that is gone, an expired token) is an
``ApiError`` whose text, repr, traceback and exception chain hold no secret and no httpx object
(which would carry the request and its Authorization header), and the DEBUG log of the whole
exchange, httpx's and httpcore's records included, is clean too."""

from __future__ import annotations

import http.server
import json
import logging
import random
import threading
import traceback
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from segctl.aep import AepClient, AepConfig, ApiError, AuthError, ManualClock, TransportError
from segctl.sandbox import FaultConfig
from tests.security.conftest import CLIENT_ID, NOW, SECRET, RecordingSandbox, assert_clean


def make_client(url: str, secret: str = SECRET) -> AepClient:
    config = AepConfig.from_env(env={
        "AEP_PLATFORM_URL": url, "AEP_IMS_URL": f"{url}/ims/token/v3",
        "AEP_CLIENT_ID": CLIENT_ID, "AEP_CLIENT_SECRET": secret})
    return AepClient(config, clock=ManualClock(), rng=random.Random(1))  # retries wait 0 s


def chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def everything_said(error: ApiError) -> str:
    parts = [error.format(), "".join(traceback.format_exception(error))]
    for link in chain(error):
        parts += [repr(link), str(link), repr(vars(link))]
    return "\n".join(parts)


def assert_clean_error(error: ApiError, tokens: list[str]) -> None:
    for link in chain(error):
        assert not isinstance(link, httpx.HTTPError), f"httpx exception in the chain: {link!r}"
        assert not any(isinstance(v, httpx.Request | httpx.Response) for v in vars(link).values())
    assert_clean(everything_said(error), tokens, f"{type(error).__name__}")


@pytest.fixture
def debug_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def log_text(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(r.getMessage() for r in caplog.records)


FAULTS = {
    "dropped": (FaultConfig(drop=1.0, seed=3), TransportError),
    "server-error": (FaultConfig(rate5xx=1.0), ApiError),
    "throttled": (FaultConfig(rate429=1.0, retry_after=2), ApiError),
}


@pytest.mark.parametrize("case", sorted(FAULTS))
def test_failures_over_http_hold_no_secret(case: str, data_dir: Path, debug_log) -> None:
    faults, expected = FAULTS[case]
    app = RecordingSandbox(data_dir, faults, credentials=(CLIENT_ID, SECRET))
    server = app.serve("127.0.0.1", 0)
    try:
        with make_client(server.url) as client, pytest.raises(expected) as caught:
            client.list_segment_definitions()
    finally:
        server.close()
        app.close()
    assert len(app.issued) == 1  # the token call is not faulted; the Platform calls are
    assert_clean_error(caught.value, app.issued)
    assert_clean(log_text(debug_log), app.issued, "the DEBUG log")
    assert "client_secret=***" in log_text(debug_log)


def test_refused_credentials_and_a_vanished_server(served, debug_log) -> None:
    app, server = served
    with make_client(server.url, secret="not-" + SECRET) as client, \
            pytest.raises(AuthError) as refused:
        client.list_datasets()
    assert refused.value.status == 401 and refused.value.code == "invalid_client"
    assert_clean_error(refused.value, [])
    assert_clean(log_text(debug_log), [], "the DEBUG log")

    with make_client(server.url) as client:
        assert client.list_segment_definitions() == []
        server.close()  # killed between two calls: token cached, kept-alive connection gone
        with pytest.raises(TransportError) as gone:
            client.list_segment_definitions()
    assert "could not connect to 127.0.0.1" in gone.value.format()
    assert_clean_error(gone.value, app.issued)
    assert_clean(log_text(debug_log), app.issued, "the DEBUG log")


def test_expired_token_is_renewed_and_never_shown(data_dir: Path, debug_log) -> None:
    now = [NOW]
    app = RecordingSandbox(data_dir, now=lambda: now[0], credentials=(CLIENT_ID, SECRET))
    server = app.serve("127.0.0.1", 0)
    try:
        with make_client(server.url) as client:
            client.list_segment_definitions()
            now[0] += timedelta(days=1)  # the sandbox's clock: the token has expired
            client.list_segment_definitions()  # 401 401013, a new token, the call again
    finally:
        server.close()
        app.close()
    assert len(app.issued) == 2
    assert "401013" in log_text(debug_log)
    assert_clean(log_text(debug_log), app.issued, "the DEBUG log")


def test_reprs_hold_no_secret(served) -> None:
    app, server = served
    with make_client(server.url) as client:
        client.list_segment_definitions()
        http = client._http
        shown = [repr(client), str(client), repr(client.config), str(client.config),
                 repr(client.config.client_secret), f"{client.config.client_secret}",
                 repr(http._auth), repr(http._tokens), repr(http._tokens.token())]
    assert app.issued
    assert_clean("\n".join(shown), app.issued, "a repr")


class _EchoingGateway(http.server.BaseHTTPRequestHandler):
    """A careless gateway: hands out a token, then echoes credentials back in headers."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        body = json.dumps({"access_token": ECHOED_TOKEN, "expires_in": 3600}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("x-echo-secret", SECRET)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        token = self.headers.get("authorization", "").removeprefix("Bearer ")
        body = b'{"segments": [], "page": {"totalPages": 1}, "link": {}}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("x-echo-token", token)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


ECHOED_TOKEN = "echoed-token-0123456789-abcdefghijklmnopqrstuvwxyz"


def test_credentials_echoed_in_response_headers_are_masked_in_the_debug_log(debug_log) -> None:
    """httpcore logs response headers verbatim at DEBUG; those records are masked too."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EchoingGateway)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        with make_client(f"http://127.0.0.1:{server.server_address[1]}") as client:
            client.list_segment_definitions()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    text = log_text(debug_log)
    assert "x-echo-token" in text and "x-echo-secret" in text  # httpcore's records are there
    assert_clean(text, [ECHOED_TOKEN], "the DEBUG log")

"""Every answer of the local sandbox carries ``Date`` from the sandbox's own clock (RFC 9110
§6.6.1), in-process and served, so a client reads the sandbox's day from it (issue 15: after
``segctl sandbox advance 1d`` the plan counted the ration by the wall clock's day)."""

from __future__ import annotations

import socket
from datetime import timedelta
from email.utils import parsedate_to_datetime

import httpx

from segctl.sandbox import LocalSandbox, SandboxServer
from tests.sandbox.conftest import NOW, UPS, gateway_headers, issue_token


def _date(response: httpx.Response) -> str:
    assert response.headers.get_list("date") and len(response.headers.get_list("date")) == 1
    return response.headers["date"]


def test_in_process_answers_are_dated_by_the_sandbox_clock(
        sandbox: LocalSandbox, local: httpx.Client) -> None:
    answer = local.get(f"{UPS}/segment/jobs")
    assert answer.status_code == 200
    assert parsedate_to_datetime(_date(answer)) == NOW
    sandbox.advance(timedelta(days=1))
    expired = local.get(f"{UPS}/segment/jobs")  # the day-old token expired meanwhile
    assert expired.status_code == 401 and _date(expired) == "Tue, 02 Jun 2026 12:00:00 GMT"
    local.headers.update(gateway_headers(issue_token(local)))
    moved = local.get(f"{UPS}/segment/jobs")
    assert _date(moved) == "Tue, 02 Jun 2026 12:00:00 GMT"
    # refusals are dated too (a 403 for a sandbox the org does not have)
    refused = local.get(f"{UPS}/segment/jobs", headers={"x-sandbox-name": "nope"})
    assert refused.status_code == 403
    assert _date(refused) == "Tue, 02 Jun 2026 12:00:00 GMT"


def test_served_answers_carry_one_date_the_sandbox_clock(
        sandbox: LocalSandbox, server: SandboxServer) -> None:
    sandbox.advance(timedelta(days=1))
    with httpx.Client(base_url=server.url, timeout=30) as http:
        http.headers.update(gateway_headers(issue_token(http)))
        answer = http.get(f"{UPS}/segment/jobs")
    assert answer.status_code == 200
    assert _date(answer) == "Tue, 02 Jun 2026 12:00:00 GMT"  # not the wall clock's


def test_a_served_answer_the_sandbox_never_saw_still_has_a_date(server: SandboxServer) -> None:
    """A request whose body cannot be read is answered by the server itself: dated by it."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n")
        head = conn.recv(4096).decode("latin-1")
    assert head.startswith("HTTP/1.1 400")
    assert sum(line.lower().startswith("date:") for line in head.split("\r\n")) == 1

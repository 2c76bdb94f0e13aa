"""The served sandbox on the wire: chunked request bodies (issue 19), refused framing without a
traceback, and each answer in one write with TCP_NODELAY (issue 16: a 40 ms stall per request
when the body waited for the client's delayed ACK)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from segctl.sandbox import SandboxServer
from segctl.sandbox.server import _Handler
from tests.sandbox.conftest import CLIENT_ID, CLIENT_SECRET, UPS, definition, gateway_headers

TOKEN_FORM = (f"grant_type=client_credentials&client_id={CLIENT_ID}"
              f"&client_secret={CLIENT_SECRET}&scope=openid").encode()


def _pieces(data: bytes, size: int) -> Iterator[bytes]:
    """A generator body: httpx sends it with Transfer-Encoding: chunked, one chunk a piece."""
    for i in range(0, len(data), size):
        yield data[i:i + size]


def _raw(port: int, request: bytes) -> tuple[bytes, bool]:
    """Send ``request`` on a fresh connection; the answer and whether the server closed."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return data, True
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:")))
        while len(rest) < length:
            rest += conn.recv(65536)
        closed = conn.recv(1) == b""
        return head + b"\r\n\r\n" + rest, closed


def _status_and_json(answer: bytes) -> tuple[int, Any]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(body)


def test_a_chunked_token_request_gets_a_token(server: SandboxServer) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        request = client.build_request(
            "POST", "/ims/token/v3", content=_pieces(TOKEN_FORM, 7),
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert request.headers["transfer-encoding"] == "chunked"
        assert "content-length" not in request.headers
        response = client.send(request)
        assert response.status_code == 200, response.text
        token = response.json()["access_token"]
        # the token works: the chunked form was read whole
        listed = client.get(f"{UPS}/segment/definitions", headers=gateway_headers(token))
        assert listed.status_code == 200, listed.text


def test_a_chunked_json_create_is_stored(server: SandboxServer, http: httpx.Client) -> None:
    doc = json.dumps(definition("Chunked", 'person.gender = "female"')).encode()
    created = http.post(f"{UPS}/segment/definitions", content=_pieces(doc, 16),
                        headers={"Content-Type": "application/json"})
    assert created.status_code == 200, created.text
    stored = http.get(f"{UPS}/segment/definitions/{created.json()['id']}").json()
    assert stored["name"] == "Chunked"
    assert stored["expression"]["value"] == 'person.gender = "female"'


def test_a_chunked_body_arriving_in_pieces_keeps_the_connection_usable(
        server: SandboxServer) -> None:
    """Chunks sent in separate writes, with pauses, then a second request on the same
    connection: the reader stopped exactly at the end of the chunked body."""
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in _pieces(TOKEN_FORM, 10))
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
        conn.sendall(b"POST /ims/token/v3 HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")
        for i in range(0, len(chunked), 13):
            conn.sendall(chunked[i:i + 13])
            threading.Event().wait(0.002)
        conn.sendall(b"0\r\nX-Checksum: none\r\n\r\n")
        conn.sendall(b"POST /ims/token/v3 HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(TOKEN_FORM), TOKEN_FORM))
        stream = conn.makefile("rb")
        for _ in range(2):
            status = stream.readline()
            assert status.startswith(b"HTTP/1.1 200"), status
            length = 0
            while (line := stream.readline()) != b"\r\n":
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            assert json.loads(stream.read(length))["token_type"] == "bearer"


@pytest.mark.parametrize("request_bytes", [
    b"POST /ims/token/v3 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"zz\r\nabc\r\n0\r\n\r\n",
    b"POST /ims/token/v3 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
    b"Content-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    b"POST /ims/token/v3 HTTP/1.1\r\nHost: x\r\nContent-Length: lots\r\n\r\nabc",
    b"POST /ims/token/v3 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"5\r\nab",  # the client hangs up inside a chunk
], ids=["bad-chunk-size", "chunked-and-length", "bad-length", "ends-inside-a-chunk"])
def test_hostile_framing_gets_a_400_and_a_closed_connection_never_a_traceback(
        server: SandboxServer, http: httpx.Client, capfd: pytest.CaptureFixture[str],
        request_bytes: bytes) -> None:
    if request_bytes.endswith(b"ab"):  # half-close after sending, as a client giving up does
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
            conn.sendall(request_bytes)
            conn.shutdown(socket.SHUT_WR)
            answer = conn.makefile("rb").read()
        closed = True
    else:
        answer, closed = _raw(server.port, request_bytes)
    status, body = _status_and_json(answer)
    assert status == 400 and body["error_code"] == "400000" and body["message"]
    assert b"connection: close" in answer.lower() and closed
    assert http.get(f"{UPS}/segment/definitions").status_code == 200  # still serving
    assert "Traceback" not in capfd.readouterr().err


def test_an_oversized_body_is_413_before_it_is_read(server: SandboxServer) -> None:
    answer, closed = _raw(server.port, b"POST /ims/token/v3 HTTP/1.1\r\nHost: x\r\n"
                                       b"Content-Length: 999999999999\r\n\r\n")
    assert _status_and_json(answer)[0] == 413 and closed


class _Recording:
    """The accepted socket, recording what the handler does with it."""

    def __init__(self, sock: socket.socket):
        self._sock = sock
        self.options: list[tuple[int, int, Any]] = []
        self.sent: list[bytes] = []

    def setsockopt(self, level: int, option: int, value: Any) -> None:
        self.options.append((level, option, value))
        self._sock.setsockopt(level, option, value)

    def sendall(self, data: bytes) -> None:
        self.sent.append(bytes(data))
        self._sock.sendall(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def test_each_answer_leaves_in_one_write_with_nodelay(server: SandboxServer) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname())
        accepted, address = listener.accept()
    recording = _Recording(accepted)
    with client, accepted:
        client.sendall(b"GET /data/foundation/catalog/dataSets HTTP/1.1\r\nHost: x\r\n"
                       b"Connection: close\r\n\r\n")
        _Handler(recording, address, server._server)  # type: ignore[arg-type]
        assert (socket.IPPROTO_TCP, socket.TCP_NODELAY, True) in recording.options
        assert len(recording.sent) == 1
        head, _, body = recording.sent[0].partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 403 ")  # no gateway headers: the gateway refuses
        assert json.loads(body)["error_code"] == "403010"

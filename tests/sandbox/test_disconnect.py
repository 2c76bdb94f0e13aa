"""A client that hangs up before its answer is written costs the served sandbox nothing: no
traceback in its log, and it keeps answering others (issue 17: BrokenPipeError in 5 logs)."""

from __future__ import annotations

import socket
import struct
import time
from pathlib import Path

import httpx
import pytest

from segctl.sandbox import LocalSandbox
from segctl.sandbox.faults import FaultConfig

from .conftest import CATALOG, fixed_now


def hang_up_before_the_answer(port: int) -> None:
    """Send a request, then reset the connection (SO_LINGER 0) while the sandbox is still
    working on it, so its write meets ECONNRESET or EPIPE."""
    conn = socket.create_connection(("127.0.0.1", port))
    conn.sendall(f"GET {CATALOG}/dataSets HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def test_a_client_hanging_up_mid_request_logs_no_traceback(
        data_dir: Path, capfd: pytest.CaptureFixture[str]) -> None:
    app = LocalSandbox(data_dir, FaultConfig(latency_ms=200), now=fixed_now)
    server = app.serve()
    try:
        for _ in range(3):
            hang_up_before_the_answer(server.port)
        time.sleep(0.8)  # the three answers are written into reset connections
        with httpx.Client(base_url=server.url, timeout=10) as client:
            assert client.get(f"{CATALOG}/dataSets").status_code == 403  # still serving
    finally:
        server.close()
        app.close()
    err = capfd.readouterr().err
    assert "Traceback" not in err and "BrokenPipe" not in err and "ConnectionReset" not in err

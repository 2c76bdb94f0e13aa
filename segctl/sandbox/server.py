"""The HTTP face of the local sandbox: a stdlib ThreadingHTTPServer that turns each request into
an ``httpx.Request``, calls ``LocalSandbox.handle`` and writes the answer back. An injected
"dropped connection" closes the socket without an answer.

Bodies are read by ``httpbody`` (``Content-Length`` or chunked). Each answer leaves in one
write with ``TCP_NODELAY`` on: a status line and headers written apart from the body, without
it, make the body wait for the client's delayed ACK (about 40 ms on Linux loopback, issue 16).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

import httpx

from segctl.sandbox.httpbody import BodyError, read_body

log = logging.getLogger(__name__)
_SECRET_PARAM = re.compile(r"(?i)\b((?:client_secret|access_token|refresh_token|id_token|token|"
                           r"password)=)[^&\s\"]+")
# the server writes these itself (Date only when the sandbox's answer has none: the sandbox
# dates its answers by its own clock, which `segctl sandbox advance` moves past the wall clock)
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "server"}


class Handler(Protocol):
    """What the server needs of the sandbox: its request handler and its public URL."""

    base_url: str

    def handle(self, request: httpx.Request) -> httpx.Response: ...

    def end_thread(self) -> None: ...


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # StreamRequestHandler.setup sets TCP_NODELAY

    def log_message(self, format: str, *args: object) -> None:
        # The request line carries the query string, where IMS also accepts client_secret.
        log.debug("%s %s", self.address_string(), _SECRET_PARAM.sub(r"\1***", format % args))

    def _dispatch(self) -> None:
        try:
            body = read_body(self.rfile, self.headers)
        except BodyError as error:
            self.close_connection = True  # the framing is lost: nothing more can be read
            payload = {"error_code": f"{error.status}000", "message": error.message}
            self._answer(error.status, [("Content-Type", "application/json"),
                                        ("Connection", "close")], json.dumps(payload).encode())
            return
        url = f"http://{self.headers.get('host') or 'localhost'}{self.path}"
        headers = [(k, v) for k, v in self.headers.items()
                   if k.lower() not in ("transfer-encoding", "content-length")]
        request = httpx.Request(self.command, url, headers=headers, content=body)
        try:
            response = self.server.sandbox.handle(request)
        except httpx.TransportError:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._answer(response.status_code,
                     [(k, v) for k, v in response.headers.items()
                      if k.lower() not in _HOP_BY_HOP],
                     response.content)

    def _answer(self, status: int, headers: list[tuple[str, str]], content: bytes) -> None:
        """Status line, headers and body in one write (see the module docstring)."""
        self.log_request(status)
        dated = any(key.lower() == "date" for key, _ in headers)
        lines = [f"{self.protocol_version} {status} {self.responses.get(status, ('',))[0]}",
                 f"Server: {self.version_string()}",
                 *(() if dated else (f"Date: {self.date_time_string()}",)),
                 *(f"{key}: {value}" for key, value in headers)]
        if status in (204, 304):
            content = b""
        else:
            lines.append(f"Content-Length: {len(content)}")
        if self.command == "HEAD":
            content = b""
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", errors="replace")
        self.wfile.write(head + content)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _dispatch


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, sandbox: Handler, host: str, port: int):
        super().__init__((host, port), _Handler)
        self.sandbox = sandbox
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        """One connection's thread: its requests, then the sandbox releases what the thread
        holds (its database connection), instead of waiting for the cyclic collector."""
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.sandbox.end_thread()

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    # ---- w17a (issue 17): a client that hangs up is not an error of the sandbox -----------
    def handle_error(self, request: Any, client_address: Any) -> None:
        """socketserver prints a traceback for any exception of a request; a peer that closed
        or reset its connection before the answer was written (BrokenPipeError,
        ConnectionResetError) is routine for an HTTP server and gets one debug line."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            log.debug("%s went away before its answer: %s", client_address[0], error)
            return
        super().handle_error(request, client_address)

    def drop_connections(self) -> None:
        """End kept-alive connections too: a closed server answers nothing any more."""
        with self._open_lock:
            conns, self._open = list(self._open), set()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class SandboxServer:
    """A running server: ``url``, ``port``, ``wait()`` (blocks) and ``close()``."""

    def __init__(self, sandbox: Handler, host: str = "127.0.0.1", port: int = 0):
        self.sandbox = sandbox
        self._server = _Server(sandbox, host, port)
        self.host = host
        self.port = int(self._server.server_address[1])
        self.url = f"http://{host}:{self.port}"
        sandbox.base_url = self.url
        self._thread: threading.Thread | None = None

    @property
    def ims_url(self) -> str:
        return f"{self.url}/ims/token/v3"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name="segctl-sandbox-http", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        """Block until the server stops (Ctrl-C raises KeyboardInterrupt here)."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout=0.5)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._server.drop_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""The HTTP face of the local sandbox: a stdlib ThreadingHTTPServer that turns each request into
an ``httpx.Request``, calls ``LocalSandbox.handle`` and writes the answer back. An injected
"dropped connection" closes the socket without an answer."""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

import httpx

log = logging.getLogger(__name__)
_SECRET_PARAM = re.compile(r"(?i)\b((?:client_secret|access_token|refresh_token|id_token|token|"
                           r"password)=)[^&\s\"]+")
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "server", "date"}


class Handler(Protocol):
    """What the server needs of the sandbox: its request handler and its public URL."""

    base_url: str

    def handle(self, request: httpx.Request) -> httpx.Response: ...


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        # The request line carries the query string, where IMS also accepts client_secret.
        log.debug("%s %s", self.address_string(), _SECRET_PARAM.sub(r"\1***", format % args))

    def _dispatch(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        url = f"http://{self.headers.get('host') or 'localhost'}{self.path}"
        request = httpx.Request(self.command, url, headers=list(self.headers.items()),
                                content=body)
        try:
            response = self.server.sandbox.handle(request)
        except httpx.TransportError:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        content = b"" if response.status_code in (204, 304) else response.content
        self.send_response(response.status_code)
        for key, value in response.headers.items():
            if key.lower() not in _HOP_BY_HOP:
                self.send_header(key, value)
        if response.status_code not in (204, 304):
            self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if content and self.command != "HEAD":
            self.wfile.write(content)

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

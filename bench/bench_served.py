"""Served sandbox latency: small GETs through one ``httpx.Client`` (keep-alive) to the sandbox
as ``segctl sandbox serve`` runs it, in its own process, holding 100, 1,000 and 4,000 segments.

Each request is timed alone; the figure is the median (and 95th percentile) per request.
Baselines in the same run:
- the server as it was before issue 16 (status line and headers written apart from the body,
  Nagle on: the body waits for the client's delayed ACK), in its own process on the same data;
  fewer requests (default 200), since each costs about 40 ms;
- a floor: a bare socket server in its own process answering every request with the same
  bytes in one write (no parsing of the request beyond its headers, no sandbox work), which is
  what httpx and loopback cost by themselves.

Target: median <= 5 ms per small request on loopback.

Usage: python bench/bench_served.py [--sizes 100,1000,4000] [--requests 1000]
                                    [--baseline-requests 200]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import socketserver
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from benchlib import signed_in

from segctl.aep import AepClient, AepConfig
from segctl.sandbox import LocalSandbox

UPS = "/data/core/ups"
TARGET_MS = 5.0


# -- the servers, each run in a child process of this script -----------------------------------

def serve_before_issue_16(data_dir: Path) -> None:
    """The sandbox with the answer writer it had before issue 16 (kept here, not in segctl)."""
    from segctl.sandbox.server import _Handler

    class TwoWrites(_Handler):
        disable_nagle_algorithm = False

        def _answer(self, status: int, headers: list[tuple[str, str]], content: bytes) -> None:
            self.send_response(status)
            for key, value in headers:
                self.send_header(key, value)
            if status not in (204, 304):
                self.send_header("Content-Length", str(len(content)))
            self.end_headers()  # one write: status line and headers
            if content and self.command != "HEAD":
                self.wfile.write(content)  # a second: the body

    app = LocalSandbox(data_dir)
    server = app.serve()
    server._server.RequestHandlerClass = TwoWrites
    print(f"listening on {server.url}", flush=True)
    server.wait()


def serve_floor(body_file: Path) -> None:
    """Every request answered with the same bytes, in one write, TCP_NODELAY on."""
    body = body_file.read_bytes()
    answer = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
              b"Content-Length: %d\r\n\r\n%s" % (len(body), body))

    class Fixed(socketserver.StreamRequestHandler):
        disable_nagle_algorithm = True

        def handle(self) -> None:
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    return
                while line not in (b"\r\n", b"\n", b""):  # the headers (GETs carry no body)
                    line = self.rfile.readline(65537)
                self.wfile.write(answer)

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    with Server(("127.0.0.1", 0), Fixed) as server:
        print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
        server.serve_forever()


@contextlib.contextmanager
def child(args: list[str]) -> Iterator[str]:
    """Start a server process; yields its URL from the line it prints."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "SEGCTL_ONDEMAND_RATION": "off"}
    proc = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            found = re.search(r"(http://127\.0\.0\.1:\d+)", line)
            if found:
                yield found.group(1)
                break
        else:
            raise RuntimeError(f"server {args} exited with {proc.wait()}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# -- the client side -------------------------------------------------------------------------

def seed(data_dir: Path, n: int) -> str:
    """``n`` segment definitions in ``data_dir``; returns the id of one."""
    with LocalSandbox(data_dir, sample_profiles=20) as sbx, \
            AepClient(AepConfig.local(), transport=sbx.transport()) as client:
        last = ""
        for i in range(n):
            last = client.create_segment_definition({
                "name": f"Segment {i:05d}", "schema": {"name": "_xdm.context.profile"},
                "expression": {"type": "PQL", "format": "pql/text",
                               "value": f"person.birthYear = {1950 + i % 60}"}})["id"]
        return last


def timed_gets(http: httpx.Client, path: str, count: int) -> tuple[float, float, int]:
    """Median and 95th percentile in ms of ``count`` GETs of ``path``, and the body size."""
    http.get(path).raise_for_status()  # the connection is open and warm
    times = []
    size = 0
    for _ in range(count):
        t0 = time.perf_counter()
        response = http.get(path)
        times.append(time.perf_counter() - t0)
        response.raise_for_status()
        size = len(response.content)
    times.sort()
    return (statistics.median(times) * 1000, times[int(len(times) * 0.95)] * 1000, size)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,1000,4000")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--baseline-requests", type=int, default=200)
    parser.add_argument("--serve-before", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--serve-floor", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_before:
        serve_before_issue_16(args.serve_before)
        return 0
    if args.serve_floor:
        serve_floor(args.serve_floor)
        return 0

    print(f"GET one segment definition through one httpx.Client; {args.requests} requests "
          f"(before-issue-16 server: {args.baseline_requests}); per-request ms")
    print("| N segments | body bytes | `segctl sandbox serve` median | p95 | "
          "before issue 16 median | p95 | speed-up | bare socket floor median | "
          "sandbox / floor |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    ok = True
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "sandbox"
            path = f"{UPS}/segment/definitions/{seed(data, n)}"
            serve = ["-m", "segctl", "sandbox", "serve", "--port", "0", "--data", str(data)]
            with child(serve) as url, contextlib.closing(signed_in(url)) as http:
                med, p95, size = timed_gets(http, path, args.requests)
                body = http.get(path).content
            with child([__file__, "--serve-before", str(data)]) as url, \
                    contextlib.closing(signed_in(url)) as http:
                old_med, old_p95, _ = timed_gets(http, path, args.baseline_requests)
            body_file = Path(tmp) / "body.json"
            body_file.write_bytes(body)
            with child([__file__, "--serve-floor", str(body_file)]) as url, \
                    httpx.Client(base_url=url, timeout=30) as http:
                floor_med, _, _ = timed_gets(http, path, args.requests)
        ok &= med <= TARGET_MS
        print(f"| {n:,} | {size} | {med:.2f} | {p95:.2f} | {old_med:.2f} | {old_p95:.2f} | "
              f"{old_med / med:.0f}x | {floor_med:.2f} | {med / floor_med:.1f}x |", flush=True)
    print(f"target: median <= {TARGET_MS:g} ms per request: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""A plan's live read over HTTP: ``read_live_state`` (what ``segctl plan`` reads: audiences or
definitions, merge policies, the export's dataset, this year's segment jobs, recent export
jobs) against ``segctl sandbox serve`` in its own process holding 100, 1,000 and 4,000
segments.

In the same run, on the same server:
- the floor: a bare ``httpx.Client`` sending exactly the requests segctl sent (recorded once)
  in segctl's shape (the lists at once; in each, the pages after the first 8 at a time),
  decoding every JSON body with segctl's decoder (``segctl.jsonio``), and nothing else (no
  retries, request ids, logging or redaction);
- segctl reading one page at a time (``read_concurrency=1``, as before issue 16).

Each client is warmed first (token, connections). Medians of REPEAT reads, interleaved.
Targets: segctl's read within 1.3x the floor; requests <= ceil(N/100) + 5.

Each size is measured twice: as served (the sandbox answers a page in a few ms of its own CPU,
so little overlaps on 2 cores), and with 20 ms of injected latency per request (``--latency-ms``
of ``sandbox serve``), closer to a remote AEP, where pages in flight together overlap.

Usage: python bench/bench_live_read.py [--sizes 100,1000,4000] [--repeat 7] [--latency-ms 20]
"""

from __future__ import annotations

import argparse
import contextlib
import math
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from bench_plan import seed
from bench_served import child
from benchlib import signed_in

from segctl import jsonio
from segctl.aep import AepClient, AepConfig
from segctl.aep._client import DEFAULT_READ_CONCURRENCY
from segctl.engine import read_live_state
from segctl.sandbox import LocalSandbox

DATASETS = ["Benchmark export"]
TARGET = 1.3


class Recording(httpx.HTTPTransport):
    """Real HTTP, remembering each request's method, path and query."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, str, bytes]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.method, request.url.path, request.url.query))
        return super().handle_request(request)


def segctl_read(client: AepClient) -> tuple[float, int]:
    before, t0 = client.request_count, time.perf_counter()
    state = read_live_state(client, DATASETS)
    elapsed = time.perf_counter() - t0
    assert state.segments
    return elapsed, client.request_count - before


def recorded_requests(url: str) -> list[tuple[str, bytes]]:
    """The GETs one warm ``read_live_state`` sends (paths and queries, in order)."""
    transport = Recording()
    with AepClient(AepConfig.local(url), transport=transport) as client:
        read_live_state(client, DATASETS)
        transport.sent.clear()
        read_live_state(client, DATASETS)
    assert all(method == "GET" for method, _, _ in transport.sent)
    return [(path, query) for _, path, query in transport.sent]


def floor_read(http: httpx.Client, lists: ThreadPoolExecutor, pages: ThreadPoolExecutor,
               requests: list[tuple[str, bytes]]) -> float:
    """The same requests in segctl's shape: every list at once, and within a list the first
    page alone, then the rest in the pages pool."""
    def get(path: str, query: bytes) -> object:
        response = http.get(path, params=query.decode())
        response.raise_for_status()
        return jsonio.loads(response.content)  # segctl's decoder: the floor is not slower for it

    by_path: dict[str, list[bytes]] = {}
    for path, query in requests:
        by_path.setdefault(path, []).append(query)

    def one_list(path: str, queries: list[bytes]) -> None:
        get(path, queries[0])
        list(pages.map(lambda q: get(path, q), queries[1:]))

    t0 = time.perf_counter()
    list(lists.map(lambda item: one_list(*item), by_path.items()))
    return time.perf_counter() - t0


def measure(data: Path, latency_ms: int, repeat: int) -> dict[str, float]:
    serve = ["-m", "segctl", "sandbox", "serve", "--port", "0", "--data", str(data),
             "--latency-ms", str(latency_ms)]
    with child(serve) as url, \
            AepClient(AepConfig.local(url)) as concurrent, \
            AepClient(AepConfig.local(url), read_concurrency=1) as sequential, \
            contextlib.closing(signed_in(url)) as http, \
            ThreadPoolExecutor(DEFAULT_READ_CONCURRENCY) as lists, \
            ThreadPoolExecutor(DEFAULT_READ_CONCURRENCY) as pages:
        requests = recorded_requests(url)
        segctl_read(concurrent)
        segctl_read(sequential)
        floor_read(http, lists, pages, requests)
        runs: dict[str, list[float]] = {"segctl": [], "sequential": [], "floor": [],
                                        "requests": []}
        for _ in range(repeat):
            elapsed, sent = segctl_read(concurrent)
            runs["segctl"].append(elapsed)
            runs["requests"].append(sent)
            runs["floor"].append(floor_read(http, lists, pages, requests))
            runs["sequential"].append(segctl_read(sequential)[0])
        assert max(runs["requests"]) == len(requests)
    return {k: statistics.median(v) for k, v in runs.items()}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,1000,4000")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--latency-ms", type=int, default=20)
    args = parser.parse_args()
    print(f"read_live_state against `segctl sandbox serve` (own process); pages "
          f"{DEFAULT_READ_CONCURRENCY} at a time; median of {args.repeat}")
    print("| N | injected latency | requests | target ceil(N/100)+5 | segctl s | "
          "bare httpx floor s | segctl / floor | one page at a time s | speed-up |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    ok = True
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "sandbox"
            with LocalSandbox(data, sample_profiles=20) as sbx, \
                    AepClient(AepConfig.local(), transport=sbx.transport()) as seeder:
                seed(seeder, n)
            for latency in (0, args.latency_ms):
                r = measure(data, latency, args.repeat)
                target = math.ceil(n / 100) + 5
                ratio = r["segctl"] / r["floor"]
                ok &= r["requests"] <= target and (n < 1000 or ratio <= TARGET)
                print(f"| {n:,} | {latency} ms | {r['requests']:.0f} | {target} | "
                      f"{r['segctl']:.3f} | {r['floor']:.3f} | {ratio:.2f}x | "
                      f"{r['sequential']:.3f} | {r['sequential'] / r['segctl']:.1f}x |",
                      flush=True)
    print(f"targets (within {TARGET}x the floor from 1,000 segments, requests): "
          f"{'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

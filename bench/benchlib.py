"""Helpers the benchmarks share: a plain httpx client signed in to the local sandbox, and a
median rate. (Not a benchmark: bench/run.py runs only bench_*.py.)"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import httpx

from segctl.aep._config import (
    LOCAL_CLIENT_ID,
    LOCAL_CLIENT_SECRET,
    LOCAL_IMS_PATH,
    LOCAL_ORG_ID,
    LOCAL_PLATFORM_URL,
)


def signed_in(base_url: str = LOCAL_PLATFORM_URL, transport: httpx.BaseTransport | None = None
              ) -> httpx.Client:
    """Plain HTTP to a local sandbox (served at ``base_url``, or in process through
    ``transport``) with a token and the gateway headers for sandbox prod."""
    http = httpx.Client(base_url=base_url, transport=transport, timeout=30)
    token = http.post(LOCAL_IMS_PATH, data={
        "grant_type": "client_credentials", "client_id": LOCAL_CLIENT_ID,
        "client_secret": LOCAL_CLIENT_SECRET}).json()["access_token"]
    http.headers.update({"Authorization": f"Bearer {token}", "x-api-key": LOCAL_CLIENT_ID,
                         "x-gw-ims-org-id": LOCAL_ORG_ID, "x-sandbox-name": "prod"})
    return http


def rate(fn: Callable[[], int], evaluations: int, runs: int) -> tuple[float, int]:
    """(median evaluations per second over ``runs``, the result count of the last run)."""
    rates, result = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        rates.append(evaluations / (time.perf_counter() - start))
    return statistics.median(rates), result

"""``AepClient``: typed methods over the AEP endpoints segctl uses.

One instance is meant to be shared, including across the worker threads of ``apply``. The
target is whatever ``transport`` reaches: ``None`` means real HTTP; the local sandbox passes
its ``httpx.MockTransport``; tests pass respx. The client never knows which it is talking to.
"""

from __future__ import annotations

import random
from types import TracebackType

import httpx

from segctl.aep._audiences import AudiencesApi
from segctl.aep._catalog import CatalogApi
from segctl.aep._clock import Clock, SystemClock
from segctl.aep._config import AepConfig
from segctl.aep._http import HttpCore
from segctl.aep._profile import ProfileConfigApi
from segctl.aep._retry import DEFAULT_RETRY, RetryPolicy
from segctl.aep._sandboxes import SandboxesApi
from segctl.aep._schemas import SchemaRegistryApi
from segctl.aep._segments import SegmentsApi

DEFAULT_READ_CONCURRENCY = 8


class AepClient(SegmentsApi, AudiencesApi, CatalogApi, ProfileConfigApi, SchemaRegistryApi,
                SandboxesApi):
    """Resource methods return the API's JSON objects (dicts); failures raise ``ApiError``."""

    def __init__(
        self,
        config: AepConfig,
        transport: httpx.BaseTransport | None = None,
        *,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        read_concurrency: int = DEFAULT_READ_CONCURRENCY,
    ) -> None:
        """``read_concurrency``: how many reads may be in flight at a time: the pages of one
        paged list once its first page gives the total, and the independent lists of one
        live-state read (1: one after another). Each has the same retry policy as any read."""
        if read_concurrency < 1:
            raise ValueError("read_concurrency must be at least 1")
        self._config = config
        self._read_concurrency = read_concurrency
        self._http = HttpCore(
            config,
            transport,
            retry=retry or DEFAULT_RETRY,
            clock=clock or SystemClock(),
            rng=rng or random.Random(),
        )

    @property
    def config(self) -> AepConfig:
        return self._config

    @property
    def read_concurrency(self) -> int:
        """How many reads may be in flight at a time (see ``__init__``)."""
        return self._read_concurrency

    @property
    def clock(self) -> Clock:
        """The clock the client waits with (backoff, timeouts, token expiry)."""
        return self._http.clock

    def service_time(self) -> float:
        """The service's time now, in epoch seconds: from the ``Date`` of its latest response
        (AEP's, or the local sandbox's own clock), else this machine's clock. The ration's day
        and year, and "since" windows compared with creation times, are read from it."""
        return self._http.service_time()

    @property
    def request_count(self) -> int:
        """HTTP requests sent so far by this client, token requests and retries included."""
        return self._http.request_count

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> AepClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        c = self._config
        target = "local sandbox" if c.is_local else c.platform_url
        return f"AepClient({target!r}, org={c.org_id!r}, sandbox={c.sandbox!r})"

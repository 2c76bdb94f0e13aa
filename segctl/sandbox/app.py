"""``LocalSandbox``: the emulated AEP behind one request handler.

``handle`` takes an ``httpx.Request`` and returns an ``httpx.Response``; ``transport()`` wraps
it as an ``httpx.MockTransport`` for in-process use and ``serve()`` puts it behind a threaded
HTTP server on loopback. The routing table (``segctl.sandbox.routes``) is the concatenation of
each service's ``ROUTES``; the gateway's checks run before any service's handler.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from pathlib import Path
from typing import Any

import httpx

from segctl.aep.ration import OnDemandRation, ration_from_env
from segctl.errors import ConfigError
from segctl.sandbox.core.runner import JobRunner
from segctl.sandbox.core.store import Partition, Store
from segctl.sandbox.core.web import Ctx, HttpFailure, Router, json_response, problem
from segctl.sandbox.exports import models as exports
from segctl.sandbox.faults import Fault, FaultConfig, FaultInjector
from segctl.sandbox.gateway.auth import check_content_type, check_gateway, traced
from segctl.sandbox.jobs import models as jobs
from segctl.sandbox.previews import models as previews
from segctl.sandbox.profilestore import profiles
from segctl.sandbox.routes import ROUTES
from segctl.sandbox.schedules import models as schedules
from segctl.sandbox.server import SandboxServer

log = logging.getLogger(__name__)

ENV_DATA_DIR = "SEGCTL_SANDBOX_DIR"
CLOCK_OFFSET = "clockOffsetMs"  # how far `segctl sandbox advance` moved the sandbox's clock
LOCAL_BASE_URL = "http://sandbox.local"

_ROUTER = Router(ROUTES)


def default_data_dir() -> Path:
    """``$SEGCTL_SANDBOX_DIR`` or ``./.segctl``."""
    return Path(os.environ.get(ENV_DATA_DIR) or ".segctl")


def _open_store(data_dir: Path) -> Store:
    """The state database in ``data_dir``; a path that cannot hold it is the user's error."""
    try:
        return Store(data_dir)
    except (OSError, sqlite3.Error) as err:
        if data_dir.exists() and not data_dir.is_dir():
            reason = "it is a file, not a directory"
        else:
            reason = getattr(err, "strerror", None) or str(err)
        raise ConfigError(f"cannot use {data_dir} as the local sandbox data directory: {reason}",
                          hint=f"set {ENV_DATA_DIR} to a writable directory (default ./.segctl)"
                          ) from None


class LocalSandbox:
    """An emulated AEP sandbox whose state lives in ``data_dir``."""

    def __init__(self, data_dir: Path, faults: FaultConfig | None = None,
                 now: Callable[[], datetime] | None = None, *,
                 credentials: tuple[str, str] | None = None,
                 org_id: str | None = None,
                 sample_profiles: int = profiles.DEFAULT_PROFILES,
                 sample_seed: int = profiles.DEFAULT_SEED,
                 ration: OnDemandRation | None = None):
        self.data_dir = Path(data_dir)
        self.store = _open_store(self.data_dir)
        self.fault_config = faults or FaultConfig()
        self.faults = FaultInjector(faults)
        # AEP's on-demand evaluation ration, on by default as in AEP; SEGCTL_ONDEMAND_RATION=off
        # (or ration=UNLIMITED) for tests that need many jobs (jobs.ration.check_ration)
        self.ration = ration if ration is not None else ration_from_env()
        self._now = now or (lambda: datetime.now(UTC))
        self.credentials = credentials
        self.org_id = org_id  # the IMS org the credentials belong to; None: any org
        self.base_url = LOCAL_BASE_URL
        self.embedded: set[tuple[str, str]] = set()  # (org, sandbox) present without creating
        self.sample_profiles = sample_profiles
        self.sample_seed = sample_seed
        self._seed_lock = threading.Lock()
        self._offset_ms = 0
        self._schedules_seen: dict[Partition, int] = {}  # scope -> sandbox ms of the last check
        self._schedules_lock = threading.Lock()
        self.runner = JobRunner(self, {jobs.KIND: jobs.execute,
                                       exports.KIND: exports.execute,
                                       previews.KIND: previews.execute},
                                {exports.KIND: exports.publish})
        # no recover() here: an orphaned job resumes when the API first reads it (runner)

    # -- clock and data --------------------------------------------------------------------
    def clock_offset_ms(self) -> int:
        """How far the sandbox's clock runs ahead of the wall clock (or of ``now``); kept in
        the data directory, so every process on it shares one sandbox time."""
        with contextlib.suppress(sqlite3.Error):  # closed: the last value read
            self._offset_ms = self.store.value(CLOCK_OFFSET)
        return self._offset_ms

    def now(self) -> datetime:
        return self._now() + timedelta(milliseconds=self.clock_offset_ms())

    def now_ms(self) -> int:
        return int(self.now().timestamp() * 1000)

    def advance(self, delta: timedelta) -> list[tuple[Partition, dict[str, Any]]]:
        """Move the sandbox's clock forward by ``delta`` and start the runs of every schedule
        whose time came meanwhile (as overnight on AEP); returns the jobs started."""
        if delta < timedelta(0):
            raise ValueError("the sandbox clock only moves forward")
        with self.store.write():
            offset = self.store.value(CLOCK_OFFSET)
            self.store.set_value(CLOCK_OFFSET, offset + int(delta.total_seconds() * 1000))
        started = []
        scopes = dict.fromkeys(scope for scope, _ in self.store.all_scopes(schedules.SCHEDULE))
        for scope in scopes:
            started += [(scope, job) for job in schedules.run_due(self, scope)]
        return started

    def _run_schedules(self, scope: Partition) -> None:
        """Start what the scope's schedules have due, at most once per second of sandbox time
        (runs are daily; a moved clock counts at once); a failure here never fails the
        request that happened to arrive at that time."""
        # one check at a time: a request arriving while another starts the due runs waits for
        # them, so it never reads the job list from before a run that was due (concurrent
        # reads of one plan, issue 16)
        with self._schedules_lock:
            now = self.now_ms()
            last = self._schedules_seen.get(scope)
            if last is not None and 0 <= now - last < 1000:
                return
            self._schedules_seen[scope] = now
            try:
                schedules.run_due(self, scope)
            except Exception:
                log.exception("sandbox schedules of %s/%s failed", scope.org, scope.sandbox)

    def ensure_sample(self) -> None:
        """Seed the sample profiles on first use."""
        with self._seed_lock:
            if not profiles.has_sample(self.data_dir):
                log.info("seeding %d sample profiles into %s", self.sample_profiles,
                         self.data_dir)
                profiles.seed(self.data_dir, self.sample_profiles, self.sample_seed,
                              self.now(), only_if_missing=True)

    def profile_data(self) -> profiles.ProfileStore:
        self.ensure_sample()
        return profiles.cached(self.data_dir)

    # -- HTTP ---------------------------------------------------------------------------------
    def handle(self, request: httpx.Request) -> httpx.Response:
        """The answer to ``request``, dated by the sandbox's clock: every response carries
        ``Date`` (RFC 9110 §6.6.1, as AEP's gateway sends it), so a client reads the sandbox's
        day from it, not the wall clock's (``segctl sandbox advance`` moves one, not the other)."""
        response = self._answer(request)
        response.headers["Date"] = formatdate(self.now().timestamp(), usegmt=True)
        return response

    def _answer(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if self.faults.applies_to(path):
            if self.fault_config.latency_ms:
                time.sleep(self.fault_config.latency_ms / 1000)
            fault = self.faults.draw()
            if fault is Fault.DROP:
                if self.faults.drop_kind() == "read":
                    self._dispatch(request)  # carried out; the answer is lost on its way back
                    raise httpx.ReadTimeout("injected fault: read timed out", request=request)
                raise httpx.ConnectError("injected fault: connection refused", request=request)
            if fault is Fault.THROTTLE:
                return json_response(429, {"error_code": "429050", "message": "Too many requests"},
                                     {"Retry-After": str(self.fault_config.retry_after)})
            if fault is Fault.SERVER_ERROR:
                return json_response(503, traced(problem(
                    503, "UPAPI-113503-503", "Service unavailable (injected fault)").body,
                    request))
        return self._dispatch(request)

    def _dispatch(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        try:
            route, params = _ROUTER.match(request.method, path)
            ctx = Ctx(self, request, params, query=dict(request.url.params.items()))
            if route.gateway:
                check_gateway(ctx)
                check_content_type(request, path)
                self._run_schedules(ctx.scope)
            return route.handler(ctx)
        except HttpFailure as failure:
            return json_response(failure.status, traced(failure.body, request), failure.headers)
        except Exception:
            log.exception("sandbox handler crashed on %s %s", request.method, path)
            return json_response(500, traced(problem(500, "UPAPI-113500-500",
                                                      "Internal error in the local sandbox").body,
                                              request))

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> SandboxServer:
        """Start the HTTP server in a background thread; returns the running server."""
        server = SandboxServer(self, host, port)
        server.start()
        return server

    # -- w17a (issue 17): sandboxes must exist; the embedded target's is made on first use --
    def provision(self, org: str, name: str) -> None:
        """Make ``org``'s sandbox ``name`` exist for this process, like ``prod`` always does (a
        development sandbox titled by its name). The embedded target calls it for the sandbox its
        Environment names, so a project works without ``segctl sandbox create``; a served
        sandbox refuses unknown names like AEP until they are created."""
        self.embedded.add((org, name))  # nothing is written: a read-only command stays one

    def wait_idle(self, timeout: float | None = None) -> bool:
        return self.runner.wait_idle(timeout)

    def end_thread(self) -> None:
        """A served request's thread is ending: release what it holds (its connection)."""
        self.store.release_thread()

    def close(self) -> None:
        self.runner.close()
        self.store.close()

    def __enter__(self) -> LocalSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["LocalSandbox", "default_data_dir"]

"""Resilience harness: the repository's example project applied to an in-process local sandbox
through transports that misbehave in seeded, repeatable ways. The client's retry waits run on a
``ManualClock`` (instant); only the sandbox's background jobs take real (short) time."""

from __future__ import annotations

import random
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from segctl.aep import AepClient, AepConfig, ApiError, ManualClock
from segctl.engine import ApplyOptions, ApplyReport, Outcome, apply_plan, build_plan
from segctl.project import Project, load_project
from segctl.sandbox import FaultConfig, LocalSandbox
from segctl.sandbox.profilestore import profiles as sample_profiles

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
UPS = "/data/core/ups"


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("resilience-sample")
    sample_profiles.seed(base, 200, 42, NOW)
    return base


@pytest.fixture(scope="session")
def project() -> Project:
    return load_project(REPO / "segments")


@pytest.fixture
def data_dir(tmp_path: Path, seeded: Path) -> Path:
    target = tmp_path / "sandbox"
    shutil.copytree(seeded, target)
    return target


@pytest.fixture
def open_sandbox(data_dir: Path) -> Iterator[Callable[[FaultConfig | None], LocalSandbox]]:
    """Opens the sandbox on the test's data directory (again, with other faults, as a restarted
    server would); everything opened is closed at the end."""
    opened: list[LocalSandbox] = []

    def factory(faults: FaultConfig | None = None) -> LocalSandbox:
        opened.append(LocalSandbox(data_dir, faults))
        return opened[-1]

    yield factory
    for sandbox in reversed(opened):
        sandbox.close()


def client_for(transport: httpx.BaseTransport, seed: int = 0) -> AepClient:
    return AepClient(AepConfig.local(), transport=transport, clock=ManualClock(),
                     rng=random.Random(seed))


def apply_once(project: Project, transport: httpx.BaseTransport, *, seed: int = 0,
               timeout: float = 60.0) -> ApplyReport | ApiError:
    """One `segctl apply --auto-approve`: the report, or the error that stopped the plan."""
    with client_for(transport, seed) as client:
        try:
            plan = build_plan(project, client)
        except ApiError as err:  # reading the live state failed: nothing was written
            return err
        options = ApplyOptions(concurrency=4, poll_interval=0.01, timeout=timeout)
        return apply_plan(plan, client, options)


def assert_honest(outcome: ApplyReport | ApiError) -> None:
    """Either everything succeeded, or the report names what failed and what never started."""
    if isinstance(outcome, ApiError):
        assert outcome.format().startswith("error: AEP API error")
        return
    if outcome.ok:
        assert all(r.outcome is Outcome.OK for r in outcome.results)
        return
    failed = [r for r in outcome.results if r.outcome is Outcome.FAILED]
    assert failed and all(r.detail for r in failed)
    for result in outcome.results:
        if result.outcome is Outcome.SKIPPED:
            assert result.detail.startswith("not started")
    assert outcome.summary().startswith("Apply failed:")


def assert_converged(project: Project, sandbox: LocalSandbox) -> ApplyReport:
    """A clean re-run succeeds, the next plan is empty, and nothing exists twice."""
    report = apply_once(project, sandbox.transport())
    assert isinstance(report, ApplyReport) and report.ok, report
    with client_for(sandbox.transport()) as client:
        assert not build_plan(project, client).has_changes
        definitions = Counter(d["name"] for d in client.list_segment_definitions())
        datasets = Counter(d["name"] for d in client.list_datasets())
    assert sorted(definitions) == sorted(s.name for s in project.segments)
    assert set(definitions.values()) == {1}
    assert sorted(datasets) == sorted({e.dataset for e in project.exports})
    assert set(datasets.values()) == {1}
    return report


class LossyTransport(httpx.BaseTransport):
    """A network between client and sandbox that loses answers *after* the sandbox acted
    (read timeout, 502/504 from a gateway) and throttles some requests before it does, so
    creates succeed on the server while the client sees a failure."""

    def __init__(self, sandbox: LocalSandbox, seed: int, lose: float = 0.3,
                 throttle: float = 0.1):
        self.sandbox, self.rng = sandbox, random.Random(seed)
        self.lose, self.throttle = lose, throttle
        self.lost = Counter[str]()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        if request.url.path.startswith("/ims/"):
            return self.sandbox.handle(request)
        draw = self.rng.random()
        if draw < self.throttle:
            return httpx.Response(429, json={"error_code": "429050",
                                             "message": "Too many requests"},
                                  headers={"Retry-After": "1"})
        response = self.sandbox.handle(request)
        if draw < self.throttle + self.lose:
            self.lost[request.method] += 1
            kind = self.rng.choice(["timeout", "502", "504"])
            if kind == "timeout":
                raise httpx.ReadTimeout("answer lost", request=request)
            return httpx.Response(int(kind), json={"error_code": f"{kind}000",
                                                   "message": "Bad gateway"})
        return response


class DiesAfter(httpx.BaseTransport):
    """The server goes away after ``n`` requests: every later connection is refused."""

    def __init__(self, sandbox: LocalSandbox, n: int):
        self.sandbox, self.left = sandbox, n

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.left <= 0:
            raise httpx.ConnectError("connection refused", request=request)
        self.left -= 1
        return self.sandbox.handle(request)


class StuckJobs(httpx.BaseTransport):
    """Segment jobs never look finished (a slow evaluation), whatever their real state."""

    def __init__(self, sandbox: LocalSandbox):
        self.sandbox = sandbox

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.sandbox.handle(request)
        path = request.url.path
        if request.method == "GET" and path.startswith(f"{UPS}/segment/jobs/"):
            body = {**response.json(), "status": "PROCESSING"}
            return httpx.Response(response.status_code, json=body)
        return response


class FlakyStatus(httpx.BaseTransport):
    """The job status endpoints fail ``n`` times in a row (more than the client's retries)."""

    def __init__(self, sandbox: LocalSandbox, n: int):
        self.sandbox, self.left = sandbox, n

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        polling = request.method == "GET" and (path.startswith(f"{UPS}/segment/jobs/")
                                               or path.startswith(f"{UPS}/export/jobs/"))
        if polling and self.left > 0:
            self.left -= 1
            return httpx.Response(503, json={"error_code": "503000",
                                             "message": "Service unavailable"})
        return self.sandbox.handle(request)

"""Engine tests run against the local sandbox: a fresh data directory per test."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from segctl.aep import AepClient, AepConfig
from segctl.aep._profile import SCHEDULES
from segctl.sandbox import LocalSandbox

EXAMPLE = {
    "customers.yaml": """\
        kind: Segment
        key: female-customers
        name: All Female Customers
        description: Profiles whose gender is female.
        pql: person.gender = "female"
        ---
        kind: Segment
        key: gold-members
        name: Gold loyalty members
        pql: loyalty.tier = "gold"
        ---
        kind: Segment
        key: female-gold
        name: Female gold members
        pql: inSegment("key:female-customers") and inSegment("key:gold-members")
        """,
    "exports.yaml": """\
        kind: Export
        key: female-customers-daily
        segments: [female-customers]
        dataset: Female customers
        fields: [_id, personalEmail.address, person.gender]
        """,
}


def write_project(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[LocalSandbox]:
    sbx = LocalSandbox(tmp_path / "sandbox", sample_profiles=300)
    yield sbx
    sbx.close()


@pytest.fixture
def client(sandbox: LocalSandbox) -> Iterator[AepClient]:
    with AepClient(AepConfig.local(), transport=sandbox.transport()) as aep:
        yield aep


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return write_project(tmp_path / "segments", EXAMPLE)


class Recording(httpx.BaseTransport):
    """The sandbox's transport, keeping every request sent through it."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.sent: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.sent.append(request)
        return self.inner.handle_request(request)

    def to_schedules(self, method: str) -> list[httpx.Request]:
        return [r for r in self.sent
                if r.method == method and r.url.path.startswith(SCHEDULES)]


@pytest.fixture
def wire(sandbox: LocalSandbox) -> Iterator[tuple[AepClient, Recording]]:
    """A client of ``sandbox`` whose requests are recorded."""
    recording = Recording(sandbox.transport())
    with AepClient(AepConfig.local(), transport=recording) as aep:
        yield aep, recording

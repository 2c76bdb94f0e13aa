"""Fixtures for the secrets tests: an obviously fake but long client secret, the local sandbox
served over real HTTP on 127.0.0.1 (random port) that remembers every token it issues, and a
helper that runs the real ``segctl`` executable and keeps every byte it printed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from segctl.sandbox import LocalSandbox, SandboxServer
from segctl.sandbox.profilestore import profiles as sample_profiles

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "segments"
CLIENT_ID = "fake-client-id"
# Long and unmistakable, so a partial leak (a truncated message) is caught as well.
SECRET = "FAKE-segctl-test-secret-never-real-0123456789abcdefghijklmnop"
SAMPLE_PROFILES = 200
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


class RecordingSandbox(LocalSandbox):
    """The local sandbox, remembering each access token it hands out (to grep for them)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.issued: list[str] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        response = super().handle(request)
        if request.url.path == "/ims/token/v3" and response.status_code == 200:
            self.issued.append(str(response.json()["access_token"]))
        return response


def needles(tokens: Sequence[str]) -> list[str]:
    """What must never show: the secret and each token, whole and as a distinctive part."""
    found = [SECRET, SECRET[5:35]]
    for token in tokens:
        found += [token, token[6:26]]
    return found


def assert_clean(blob: bytes | str, tokens: Sequence[str], where: str) -> None:
    data = blob.encode() if isinstance(blob, str) else blob
    for needle in needles(tokens):
        assert needle.encode() not in data, f"a secret leaked into {where}"


def assert_tree_clean(root: Path, tokens: Sequence[str]) -> int:
    """Every byte of every file under ``root``; returns how many files were read."""
    count = 0
    for path in root.rglob("*"):
        if path.is_file():
            assert_clean(path.read_bytes(), tokens, str(path))
            count += 1
    return count


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("security-sample")
    sample_profiles.seed(base, SAMPLE_PROFILES, 42, NOW)
    return base


@pytest.fixture
def data_dir(tmp_path: Path, seeded: Path) -> Path:
    target = tmp_path / "sandbox-data"
    shutil.copytree(seeded, target)
    return target


@pytest.fixture
def served(data_dir: Path) -> Iterator[tuple[RecordingSandbox, SandboxServer]]:
    app = RecordingSandbox(data_dir, credentials=(CLIENT_ID, SECRET))
    server = app.serve()  # the default host: loopback
    try:
        yield app, server
    finally:
        server.close()
        app.close()


@dataclass
class Cli:
    """Runs ``python -m segctl`` in ``cwd`` with a clean environment; keeps all output."""

    cwd: Path
    env: dict[str, str]
    transcript: list[bytes] = field(default_factory=list)

    def __call__(self, *args: str, extra_env: dict[str, str] | None = None,
                 timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
        env = {**self.env, **(extra_env or {})}
        done = subprocess.run([sys.executable, "-m", "segctl", *args], cwd=self.cwd, env=env,
                              capture_output=True, timeout=timeout, check=False)
        self.transcript.extend((done.stdout, done.stderr))
        return done


def clean_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AEP_", "SEGCTL_")) and k != "NO_COLOR"}
    env.update(values)
    return env


@pytest.fixture
def project(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    shutil.copytree(EXAMPLE, work / "segments")
    return work


DEFINITIONS = "/data/core/ups/segment/definitions"
ORG = "TESTORG0000000000000000@AdobeOrg"


def token_form(client_id: str = CLIENT_ID, secret: str = SECRET) -> dict[str, str]:
    return {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
            "scope": "openid,AdobeID"}


@pytest.fixture
def clock_and_server(data_dir: Path):
    now = [NOW]
    app = RecordingSandbox(data_dir, now=lambda: now[0], credentials=(CLIENT_ID, SECRET))
    server = app.serve()
    with httpx.Client(base_url=server.url, trust_env=False) as http:
        yield now, http
    server.close()
    app.close()

"""CLI journeys through the real entry point (``segctl.cli.main``, the single catch point)."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from segctl.cli import main

# the served-sandbox fixtures of tests/sandbox, for the `sandbox` command tests moved here
from tests.sandbox.conftest import data_dir as data_dir
from tests.sandbox.conftest import sandbox as sandbox
from tests.sandbox.conftest import seeded_template as seeded_template
from tests.sandbox.conftest import server as server

EXAMPLE = Path(__file__).resolve().parents[2] / "segments"

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch project: a copy of the example segments, its own local sandbox, no TTY."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    monkeypatch.setenv("SEGCTL_SANDBOX_DIR", str(tmp_path / ".segctl"))
    for name in ("AEP_PLATFORM_URL", "AEP_IMS_URL", "AEP_SANDBOX", "SEGCTL_FAULTS",
                 "SEGCTL_DEBUG", "AEP_CLIENT_ID", "AEP_CLIENT_SECRET", "AEP_ORG_ID", "NO_COLOR",
                 "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    shutil.copytree(EXAMPLE, tmp_path / "segments")
    return tmp_path


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """Run ``segctl ARGS...`` like a shell would: (exit code, stdout, stderr)."""

    def invoke(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            code = int(main(list(args)) or 0)
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


@pytest.fixture
def run_cli(run: Run) -> Run:
    """The name the validate tests (moved here from tests/project) use for ``run``."""
    return run

"""Helpers for the project tests: run the real CLI entry point and capture what it prints."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from segctl.cli import main

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"

RunCli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> RunCli:
    """``run_cli("validate", path) -> (exit code, stdout, stderr)`` through ``segctl.cli.main``."""

    def run(*argv: str) -> tuple[int, str, str]:
        code = 0
        try:
            main(list(argv))
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run

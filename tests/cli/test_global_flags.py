"""--no-color and --debug work after the subcommand too (`segctl plan --no-color`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from segctl.cli import cli

from .conftest import Run

ESC = "\x1b["


def test_no_color_after_the_subcommand(workdir: Path) -> None:
    runner = CliRunner()
    coloured = runner.invoke(cli, ["test"], color=True)  # ANSI kept, as on a terminal
    assert coloured.exit_code == 0 and ESC in coloured.output
    for args in (["test", "--no-color"], ["--no-color", "test"]):
        plain = runner.invoke(cli, args, color=True)
        assert plain.exit_code == 0, plain.output
        assert ESC not in plain.output and "PASS " in plain.output


@pytest.mark.parametrize("args", [("plan", "--no-color"), ("validate", "--no-color"),
                                  ("pql", "parse", "--no-color", "a = 1"),
                                  ("dataset", "preview", "--no-color", "--help")])
def test_every_command_accepts_no_color(workdir: Path, run: Run, args: tuple[str, ...]) -> None:
    code, _, err = run(*args)
    assert code == 0, err
    assert "No such option" not in err


def test_debug_after_the_subcommand_logs_http(workdir: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "segctl", "plan", "--debug"], cwd=workdir,
                          capture_output=True, text=True, env={**os.environ})
    assert proc.returncode == 0, proc.stderr
    assert "segctl.aep: → GET" in proc.stderr
    assert "client_secret=***" in proc.stderr


@pytest.mark.parametrize(("value", "coloured"), [("1", False), ("", True)])
def test_no_color_variable(workdir: Path, monkeypatch: pytest.MonkeyPatch, value: str,
                           coloured: bool) -> None:
    monkeypatch.setenv("NO_COLOR", value)  # no-color.org: only a non-empty value disables
    result = CliRunner().invoke(cli, ["test"], color=True)
    assert result.exit_code == 0
    assert (ESC in result.output) is coloured

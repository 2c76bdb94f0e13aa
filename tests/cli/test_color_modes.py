"""--color always|never|auto on the root (and after the subcommand), NO_COLOR and FORCE_COLOR,
and --debug printing segctl's own request log instead of httpcore's trace."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from segctl.cli import cli
from segctl.cli.options import color_decision

ESC = "\x1b["


@pytest.mark.parametrize("args", [["--color", "always", "test"], ["test", "--color", "always"]])
def test_color_always_keeps_ansi_in_a_pipe(workdir: Path, args: list[str]) -> None:
    result = CliRunner().invoke(cli, args)  # not a terminal: auto would strip colour
    assert result.exit_code == 0, result.output
    assert ESC in result.output


def test_color_always_colours_the_plan(workdir: Path) -> None:
    result = CliRunner().invoke(cli, ["--color", "always", "plan"])
    assert result.exit_code == 0, result.output
    assert f"{ESC}32m  + segment" in result.output


@pytest.mark.parametrize("args", [["--color", "never", "test"], ["--no-color", "test"],
                                  ["test", "--color", "never"]])
def test_color_never_on_a_terminal(workdir: Path, args: list[str]) -> None:
    result = CliRunner().invoke(cli, args, color=True)  # as on a terminal
    assert result.exit_code == 0, result.output
    assert ESC not in result.output and "PASS " in result.output


def test_force_color_in_auto_mode(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert ESC in CliRunner().invoke(cli, ["test"]).output
    assert ESC not in CliRunner().invoke(cli, ["--color", "never", "test"]).output
    monkeypatch.setenv("NO_COLOR", "1")  # NO_COLOR wins over FORCE_COLOR under auto
    assert ESC not in CliRunner().invoke(cli, ["test"]).output
    assert ESC in CliRunner().invoke(cli, ["--color", "always", "test"]).output


def _segctl(workdir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The real process, stdout and stderr pipes (never a terminal), with ``env`` added."""
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return subprocess.run([sys.executable, "-m", "segctl", *args], cwd=workdir,
                          capture_output=True, text=True, env={**environ, **env})


@pytest.mark.parametrize(("env", "coloured"), [
    ({}, False),  # a pipe: no colour
    ({"FORCE_COLOR": "1"}, True),  # force-color.org: colour although not a terminal
    ({"FORCE_COLOR": "0"}, False),
    ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),  # no-color.org wins
])
def test_plan_and_apply_honour_no_color_and_force_color(
        workdir: Path, env: dict[str, str], coloured: bool) -> None:
    plan = _segctl(workdir, "plan", **env)
    assert plan.returncode == 0, plan.stderr
    assert (f"{ESC}32m  + segment" in plan.stdout) is coloured
    apply = _segctl(workdir, "apply", "--auto-approve", "--no-jobs", **env)
    assert apply.returncode == 0, apply.stderr
    assert "segment" in apply.stdout + apply.stderr
    assert (ESC in apply.stdout + apply.stderr) is coloured
    if not coloured:
        assert "\x1b" not in apply.stdout + apply.stderr


def test_the_colours_are_click_styles(workdir: Path) -> None:
    """--color always: the plan's escapes are exactly click.style's for each action."""
    import click

    out = CliRunner().invoke(cli, ["--color", "always", "plan"]).output
    create = next(line for line in out.splitlines() if "+ segment" in line)
    assert create.startswith(click.style("  + segment 'active-males-90d'", fg="green") + " (")
    assert click.unstyle(out) == CliRunner().invoke(cli, ["--color", "never", "plan"]).output


def test_bad_color_mode_is_a_usage_error(workdir: Path) -> None:
    result = CliRunner().invoke(cli, ["--color", "sometimes", "test"])
    assert result.exit_code != 0 and "'sometimes' is not one of" in result.output


@pytest.mark.parametrize(("mode", "tty", "env", "expected"), [
    ("auto", True, {}, True), ("auto", False, {}, False), ("auto", True, {"NO_COLOR": "1"}, False),
    ("auto", True, {"NO_COLOR": ""}, True), ("auto", False, {"FORCE_COLOR": "1"}, True),
    ("auto", False, {"FORCE_COLOR": "0"}, False), ("always", False, {"NO_COLOR": "1"}, True),
    ("never", True, {"FORCE_COLOR": "1"}, False)])
def test_color_decision_table(mode: str, tty: bool, env: dict[str, str], expected: bool) -> None:
    assert color_decision(mode, tty, env) is expected


def test_debug_prints_the_request_log_not_httpcore(workdir: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "segctl", "--debug", "plan"], cwd=workdir,
                          capture_output=True, text=True, env={**os.environ})
    assert proc.returncode == 0, proc.stderr
    assert "httpcore" not in proc.stderr and "httpx:" not in proc.stderr
    # a plan reads the live segments through /audiences (issue 14)
    assert re.search(r"segctl\.aep: ← 200 GET http://\S+/audiences\S* \d+ ms", proc.stderr)
    assert "client_secret=***" in proc.stderr and "Bearer ***" in proc.stderr

"""`segctl completion bash|zsh|fish` prints a script, and the completion it drives works
through the real program."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .conftest import Run


@pytest.mark.parametrize(("shell", "marker"), [
    ("bash", "complete -o nosort -F _segctl_completion segctl"),
    ("zsh", "compdef _segctl_completion segctl"),
    ("fish", "complete --no-files --command segctl"),
])
def test_script_per_shell(run: Run, shell: str, marker: str) -> None:
    code, out, _ = run("completion", shell)
    assert code == 0 and marker in out and "_SEGCTL_COMPLETE" in out


def test_unknown_shell_is_a_usage_error(run: Run) -> None:
    code, _, err = run("completion", "tcsh")
    assert code != 0 and "'tcsh' is not one of 'bash', 'zsh', 'fish'" in err


def _complete(words: str) -> list[str]:
    env = {**os.environ, "COMP_WORDS": words, "COMP_CWORD": str(len(words.split(" ")) - 1),
           "_SEGCTL_COMPLETE": "bash_complete"}
    proc = subprocess.run([sys.executable, "-c", "from segctl.cli import main; main()"],
                          env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return [line.split(",", 1)[1] for line in proc.stdout.splitlines()]


def test_completion_answers_commands_options_and_choices() -> None:
    assert "plan" in _complete("segctl pl") and "init" in _complete("segctl i")
    assert _complete("segctl plan --fo") == ["--format"]
    assert _complete("segctl plan --format ") == ["text", "json", "markdown"]

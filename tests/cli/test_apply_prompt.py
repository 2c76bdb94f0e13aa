"""The confirmation prompt of `segctl apply`: only 'yes' applies; Ctrl-C and EOF cancel cleanly."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from .conftest import Run


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _interrupt(prompt: str) -> str:
    raise KeyboardInterrupt


@pytest.mark.parametrize("answer", ["", "no\n", "y\n"])
def test_anything_but_yes_cancels(workdir: Path, run: Run, monkeypatch: pytest.MonkeyPatch,
                                  answer: str) -> None:
    monkeypatch.setattr("sys.stdin", _Terminal(answer))
    code, out, err = run("apply")
    assert code == 1
    assert "Plan: 13 to create" in out
    assert err.rstrip().endswith("error: apply cancelled: nothing was changed")
    assert "Aborted" not in err
    assert run("plan", "--detailed-exitcode")[0] == 2  # nothing was written


def test_ctrl_c_at_the_prompt_exits_130_on_its_own_line(workdir: Path, run: Run,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", _Terminal(""))
    monkeypatch.setattr("click.termui.visible_prompt_func", _interrupt)
    code, _, err = run("apply")
    assert code == 130  # interrupted, as documented (README: 130 interrupted)
    # the prompt line (written by the prompt function) is ended before the message
    assert err == "\nerror: interrupted at the confirmation prompt: nothing was changed\n"
    assert run("plan", "--detailed-exitcode")[0] == 2  # nothing was written


def test_yes_applies(workdir: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", _Terminal("yes\n"))
    code, out, err = run("apply", "--no-jobs")
    assert code == 0, err
    assert "Apply complete" in out


def test_no_terminal_names_both_ways_forward(workdir: Path, run: Run) -> None:
    code, _, err = run("apply")  # stdin is not a terminal (see conftest)
    assert code == 1
    assert "error: stdin is not a terminal, so apply cannot ask for confirmation" in err
    assert "`segctl apply --auto-approve`" in err
    assert "`segctl plan --out FILE`, then `segctl apply FILE`" in err

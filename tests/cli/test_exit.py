"""How the segctl process leaves: without the interpreter's teardown once the command is done
(mypy's hard exit), but only when nothing can be lost; the exit code is the command's."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import segctl.cli as cli


class _Exited(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


def _fake_exit(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []

    def exit_now(code: int) -> None:
        calls.append(f"exit {code}")
        raise _Exited(code)

    monkeypatch.setattr(cli.os, "_exit", exit_now)
    monkeypatch.setattr(logging, "shutdown", lambda: calls.append("logs flushed"))
    return calls


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (2, 2), (True, 1)])
def test_a_finished_command_leaves_at_once_with_its_code(
        monkeypatch: pytest.MonkeyPatch, code: int | None, status: int) -> None:
    calls = _fake_exit(monkeypatch)
    with pytest.raises(_Exited) as left:
        cli._leave(code)
    assert left.value.code == status and calls == ["logs flushed", f"exit {status}"]


def test_a_running_thread_or_a_message_gets_the_usual_exit(
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _fake_exit(monkeypatch)
    release = threading.Event()
    worker = threading.Thread(target=release.wait)
    worker.start()
    try:
        with pytest.raises(SystemExit) as normal:
            cli._leave(3)
        assert normal.value.code == 3
    finally:
        release.set()
        worker.join()
    with pytest.raises(SystemExit) as message:
        cli._leave("bye")
    assert message.value.code == "bye" and calls == []


def test_the_process_output_is_whole_and_the_code_kept(tmp_path: Path) -> None:
    """A real process: everything written reaches a pipe, and the exit code is the command's
    (usage error 1, `--version` 0)."""
    run = [sys.executable, "-m", "segctl"]
    version = subprocess.run([*run, "--version"], capture_output=True, text=True, check=False)
    assert version.returncode == 0 and version.stdout.startswith("segctl, version ")
    missing = subprocess.run([*run, "validate", str(tmp_path / "nope")], capture_output=True,
                             text=True, check=False)
    assert missing.returncode == 1 and "path not found" in missing.stderr

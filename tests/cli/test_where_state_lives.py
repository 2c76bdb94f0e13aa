"""Where the embedded sandbox lives: found from the project root (not the current directory),
never created by read-only commands; one apply at a time behind a lock; against a sandbox
reached over HTTP, apply re-checks the live state just before its first write."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from segctl.aep import AepClient, AepConfig
from segctl.applylock import apply_lock
from segctl.sandbox import LocalSandbox

from .conftest import Run


@pytest.fixture
def no_dir_override(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("SEGCTL_SANDBOX_DIR", raising=False)
    return workdir


def test_the_sandbox_is_found_from_the_project_root(no_dir_override: Path, run: Run,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    workdir = no_dir_override
    assert run("apply", "segments/", "--auto-approve")[0] == 0
    assert (workdir / ".segctl").is_dir()
    monkeypatch.chdir(workdir / "segments")
    code, out, err = run("plan", ".", "--detailed-exitcode")
    assert code == 0, out + err
    assert out.startswith("No changes.")
    assert not (workdir / "segments" / ".segctl").exists()  # no second sandbox


@pytest.mark.parametrize("args", [
    ("plan",), ("plan", "--format", "json"), ("import", "--dry-run"),
    ("dataset", "preview", "Female customers"), ("validate",), ("test",), ("status",),
])
def test_read_only_commands_never_create_a_sandbox(no_dir_override: Path, run: Run,
                                                    args: tuple[str, ...]) -> None:
    run(*args)
    assert not (no_dir_override / ".segctl").exists()
    assert not (no_dir_override / "segments" / ".segctl").exists()


def test_plan_without_a_sandbox_says_so(no_dir_override: Path, run: Run) -> None:
    code, out, _ = run("plan")
    assert code == 0
    assert "Plan: 13 to create" in out
    assert "the local sandbox does not exist yet" in out


def test_a_second_apply_refuses_while_another_process_applies(workdir: Path, run: Run) -> None:
    state = workdir / ".segctl"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from segctl.applylock import apply_lock\n"
         f"with apply_lock(Path({str(state)!r})):\n"
         "    print('held', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        code, out, err = run("apply", "--auto-approve")
        assert (code, out) == (1, "")
        assert "error: another segctl apply is running on this local sandbox" in err
        assert f"process {holder.pid}" in err and "--lock-timeout" in err
    finally:
        holder.kill()
        holder.wait()
    assert run("apply", "--auto-approve", "--no-jobs")[0] == 0  # released when it died


def test_the_second_apply_waits_with_a_lock_timeout(workdir: Path, run: Run) -> None:
    state = workdir / ".segctl"
    held = threading.Event()

    def hold() -> None:
        with apply_lock(state):
            held.set()
            time.sleep(0.5)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(5)
    code, out, err = run("apply", "--auto-approve", "--no-jobs", "--lock-timeout", "20")
    thread.join()
    assert code == 0, err
    assert "Apply complete" in out


def test_apply_over_http_rechecks_the_live_state_before_writing(
        workdir: Path, run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sandbox = LocalSandbox(tmp_path / "served", sample_profiles=50)
    server = sandbox.serve("127.0.0.1", 0)
    monkeypatch.setenv("AEP_PLATFORM_URL", server.url)
    monkeypatch.delenv("SEGCTL_SANDBOX_DIR")
    intruder = AepClient(AepConfig.local(), transport=sandbox.transport())

    def someone_else_writes_while_we_review(_plan: object) -> None:
        intruder.create_segment_definition({
            "name": "Made meanwhile", "schema": {"name": "_xdm.context.profile"},
            "expression": {"type": "PQL", "format": "pql/text", "value": "person.age > 1"}})

    monkeypatch.setattr("segctl.cli.apply._confirm", someone_else_writes_while_we_review)
    try:
        code, out, err = run("apply")
        assert code == 1
        assert "Plan: 13 to create" in out and "Apply complete" not in out
        # the header names the real target: the served sandbox's URL
        assert f"on environment 'local' (sandbox 'prod' at {server.url})" in out
        assert "error: the live sandbox changed after the plan was shown" in err
        names = [d["name"] for d in intruder.list_segment_definitions()]
        assert names == ["Made meanwhile"]  # nothing of ours was written
        monkeypatch.setattr("segctl.cli.apply._confirm", lambda _plan: None)
        code, out, err = run("apply", "--no-jobs")  # nothing moved this time: it applies
        assert code == 0, err
        assert len(intruder.list_segment_definitions()) == 12
    finally:
        intruder.close()
        server.close()
        sandbox.close()
    assert not (workdir / ".segctl").exists()  # the served sandbox was the target

"""`segctl plan` and `segctl apply` end to end, on the embedded local sandbox."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from segctl.cli import main
from tests.engine.conftest import EXAMPLE, write_project

_capsys: pytest.CaptureFixture[str] | None = None


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
            capsys: pytest.CaptureFixture[str]) -> Path:
    global _capsys
    _capsys = capsys
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal
    monkeypatch.setenv("SEGCTL_SANDBOX_DIR", str(tmp_path / ".segctl"))
    for name in ("AEP_PLATFORM_URL", "AEP_SANDBOX", "SEGCTL_FAULTS"):
        monkeypatch.delenv(name, raising=False)
    write_project(tmp_path / "segments", EXAMPLE)
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    """Through the real entry point (the single catch point), like a user's shell."""
    assert _capsys is not None
    try:
        code = int(main(list(args)) or 0)  # the console script passes this to sys.exit
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = _capsys.readouterr()
    return code, out, err


def test_plan_apply_plan_exit_codes(workdir: Path) -> None:
    code, out, _ = run("plan", "--detailed-exitcode")
    assert code == 2 and out.rstrip().endswith(
        "Plan: 4 to create, 0 to update, 0 to replace, 0 to delete; 1 segment job, 1 export.")
    assert run("plan")[0] == 0  # without --detailed-exitcode changes are not an error
    code, out, err = run("apply", "segments", "--auto-approve")
    assert code == 0, err
    assert "Apply complete: 6 succeeded, 0 failed, 0 skipped." in out
    assert "ok: export run female-customers-daily" in err  # progress goes to stderr
    code, out, _ = run("plan", "--detailed-exitcode")
    assert code == 0 and out.startswith("No changes.")


def test_apply_refuses_without_a_terminal_or_auto_approve(workdir: Path) -> None:
    code, out, err = run("apply")
    assert code == 1
    assert "stdin is not a terminal" in err and "--auto-approve" in err
    assert "Plan: 4 to create" in out
    assert run("plan", "--detailed-exitcode")[0] == 2  # nothing was written


def test_json_and_markdown_formats(workdir: Path) -> None:
    code, out, _ = run("plan", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["format_version"] == 2 and doc["summary"]["create"] == 4
    code, out, _ = run("plan", "--format", "markdown")
    assert "<details>" in out and "```mermaid" in out


def test_saved_plan_applies_once_then_is_stale(workdir: Path) -> None:
    code, _, err = run("plan", "--out", "plan.json")
    assert code == 0 and "Saved the plan to plan.json" in err
    code, out, err = run("apply", "plan.json")  # a saved plan was reviewed: no prompt
    assert code == 0, err
    assert "Apply complete" in out
    code, _, err = run("apply", "plan.json")
    assert code == 1 and "stale" in err and "live sandbox changed" in err


def test_saved_plan_refused_after_a_file_edit(workdir: Path) -> None:
    run("plan", "--out", "plan.json")
    path = workdir / "segments" / "customers.yaml"
    path.write_text(path.read_text().replace('"gold"', '"silver"'))
    code, out, err = run("apply", "plan.json")
    assert code == 1 and "project files changed" in err and "Apply complete" not in out


def test_bad_input_is_a_located_error_not_a_traceback(workdir: Path) -> None:
    (workdir / "segments" / "bad.yaml").write_text(
        "kind: Segment\nkey: bad\nname: Bad\npql: person.gender = \n")
    code, _, err = run("plan")
    assert code == 1 and "bad.yaml:" in err and "Traceback" not in err


def test_no_jobs_writes_definitions_only(workdir: Path) -> None:
    code, out, _ = run("apply", "--auto-approve", "--no-jobs")
    assert code == 0
    assert "note: --no-jobs: 1 segment job(s) and 1 export(s) were not run" in out
    assert "export run" not in out


def test_saved_prune_plan_applies(workdir: Path) -> None:
    assert run("apply", "--auto-approve")[0] == 0
    (workdir / "segments" / "exports.yaml").unlink()
    code, _, _ = run("plan", "--prune", "--out", "prune.json", "--detailed-exitcode")
    assert code == 2
    code, _, err = run("apply", "prune.json")
    assert code == 0, err
    assert "ok: dataset delete Female customers" in err  # each action once, as it finishes
    assert run("plan", "--prune", "--detailed-exitcode")[0] == 0

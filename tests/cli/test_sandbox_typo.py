"""A mistyped ``Environment.sandbox`` on the embedded target no longer silently plans "create
everything" (issue 15). The embedded target serves any sandbox name (a project needs no
`segctl sandbox create`), so plan, and apply before its prompt, say when the local sandbox's
data directory does not have the Environment's sandbox: the sandboxes it has, a did-you-mean,
and that apply creates it. Apply records it as a created development sandbox, so the next plan
is quiet and a served sandbox on the same directory accepts it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from segctl.sandbox import LocalSandbox

from .conftest import Run

ENVIRONMENTS = "segments/environments.yaml"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _sandbox(workdir: Path, name: str) -> None:
    """Name ``name`` as the sandbox of the example's Environment 'local'."""
    path = workdir / ENVIRONMENTS
    text = path.read_text()
    assert "\nsandbox: prod " in text
    path.write_text(text.replace("\nsandbox: prod ", f"\nsandbox: {name} ", 1))


def _warnings(run: Run) -> list[dict[str, object]]:
    code, out, err = run("plan", "--format", "json")
    assert code == 0, err
    return list(json.loads(out)["warnings"])


def test_the_default_sandbox_plans_without_a_sandbox_warning(workdir: Path, run: Run) -> None:
    assert run("apply", "--auto-approve", "--no-jobs")[0] == 0
    assert [w["code"] for w in _warnings(run)] == []


def test_a_typo_is_named_with_did_you_mean_before_anything_exists(workdir: Path,
                                                                  run: Run) -> None:
    _sandbox(workdir, "prdo")
    code, out, _ = run("plan", "--detailed-exitcode")
    assert code == 2
    assert ("Warning: sandbox 'prdo' does not exist in the local sandbox (it has: prod). "
            "Did you mean 'prod'? This plan reads 'prdo' as empty; `segctl apply` creates it "
            "as a new development sandbox. If it is a typo, fix the sandbox of Environment "
            "'local'.") in out
    assert "Plan: 13 to create" in out
    assert not (workdir / ".segctl").exists()  # a plan still creates nothing
    codes = [w["code"] for w in _warnings(run)]
    assert codes == ["sandbox-not-created", "sandbox-new"]


def test_a_typo_of_an_applied_project_lists_what_the_local_sandbox_has(workdir: Path,
                                                                        run: Run) -> None:
    assert run("apply", "--auto-approve", "--no-jobs")[0] == 0  # into prod
    _sandbox(workdir, "prdo")
    code, out, _ = run("plan")
    assert code == 0
    assert "sandbox 'prdo' does not exist in the local sandbox (it has: prod). " \
           "Did you mean 'prod'?" in out
    assert "Plan: 13 to create" in out
    warning = [w for w in _warnings(run) if w["code"] == "sandbox-new"]
    assert len(warning) == 1 and "'prdo'" in str(warning[0]["message"])


def test_a_name_close_to_none_gets_no_guess(workdir: Path, run: Run) -> None:
    _sandbox(workdir, "staging")
    code, out, _ = run("plan")
    assert code == 0
    assert "sandbox 'staging' does not exist in the local sandbox (it has: prod). This plan" \
           in out
    assert "Did you mean" not in out


def test_apply_warns_before_its_prompt_and_creates_nothing_when_cancelled(
        workdir: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    _sandbox(workdir, "prdo")
    monkeypatch.setattr("sys.stdin", _Terminal("no\n"))
    code, out, err = run("apply")
    assert code == 1
    assert "Did you mean 'prod'?" in out
    assert err.rstrip().endswith("error: apply cancelled: nothing was changed")
    assert "Created development sandbox" not in err
    assert [w["code"] for w in _warnings(run)] == ["sandbox-new"]  # still not there


def test_apply_creates_the_sandbox_then_plans_are_quiet(
        workdir: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    _sandbox(workdir, "qa")
    code, out, err = run("apply", "--auto-approve", "--no-jobs")
    assert code == 0, err
    assert "sandbox 'qa' does not exist in the local sandbox (it has: prod)." in out
    assert "Created development sandbox 'qa' in the local sandbox." in err
    code, out, _ = run("plan", "--detailed-exitcode")
    assert "does not exist" not in out and "Plan: 0 to create" in out
    assert [w["code"] for w in _warnings(run)] == []

    # the data directory has it now: a served sandbox on it (which, like AEP, refuses a
    # sandbox name it does not have) accepts 'qa'
    app = LocalSandbox(workdir / ".segctl")
    server = app.serve("127.0.0.1", 0)
    try:
        monkeypatch.setenv("AEP_PLATFORM_URL", server.url)
        monkeypatch.setenv("AEP_IMS_URL", server.ims_url)
        code, out, err = run("plan")
        assert code == 0, err
        assert "Plan: 0 to create" in out
        text = (workdir / ENVIRONMENTS).read_text()
        (workdir / ENVIRONMENTS).write_text(text.replace("\nsandbox: qa ", "\nsandbox: qb ", 1))
        code, _, err = run("plan")
        assert code == 1 and "403" in err  # never created: refused, as AEP does
    finally:
        server.close()
        app.close()

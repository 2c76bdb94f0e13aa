"""`segctl init [DIR]`: a new project that validates, tests, is formatted and applies at once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import Run


def _segctl(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AEP_")}
    env["SEGCTL_SANDBOX_DIR"] = str(cwd / ".segctl")
    return subprocess.run([sys.executable, "-m", "segctl", *args], cwd=cwd, env=env,
                          capture_output=True, text=True)


def test_init_then_apply_works_at_once(tmp_path: Path) -> None:
    made = _segctl(tmp_path, "init", "shop")
    assert made.returncode == 0, made.stderr
    root = tmp_path / "shop"
    assert "wrote shop/segments/female-customers.yaml" in made.stdout
    for args in (("validate",), ("test",), ("fmt", "--check")):
        step = _segctl(root, *args)
        assert step.returncode == 0, (args, step.stdout, step.stderr)
    applied = _segctl(root, "apply", "--auto-approve")
    assert applied.returncode == 0, applied.stderr
    assert "Apply complete: 4 succeeded" in applied.stdout  # segment, dataset, job, export
    status = _segctl(root, "status", "--format", "json")
    assert '"owner_project": "shop"' in status.stdout
    planned = _segctl(root, "plan", "--detailed-exitcode")
    assert planned.returncode == 0 and planned.stdout.startswith("No changes.")
    assert ".segctl/" in (root / ".gitignore").read_text().splitlines()
    text = (root / "segments" / "female-customers.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../schemas/segment.schema.json")
    assert (root / "schemas" / "segment.schema.json").is_file()
    assert "kind: Project\nname: shop\n" in (root / "segments" / "project.yaml").read_text()
    assert "# platformUrl: https://platform.adobe.io" in \
        (root / "segments" / "environments.yaml").read_text()


def test_init_refuses_to_overwrite(tmp_path: Path, run: Run,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".gitignore").write_text("node_modules/")
    assert run("init")[0] == 0
    assert (tmp_path / ".gitignore").read_text() == "node_modules/\n.segctl/\n*.plan\n"
    (tmp_path / "segments" / "exports.yaml").write_text("# mine\n")
    code, _, err = run("init")
    assert code == 1 and "exist already" in err and "--force" in err
    assert (tmp_path / "segments" / "exports.yaml").read_text() == "# mine\n"
    code, _, _ = run("init", "--force")
    assert code == 0 and "kind: Export" in (tmp_path / "segments" / "exports.yaml").read_text()


def test_init_with_ci_writes_the_workflows(tmp_path: Path, run: Run,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("init", "repo", "--ci", "local")
    assert code == 0, err
    workflows = tmp_path / "repo" / ".github" / "workflows"
    names = sorted(p.name for p in workflows.iterdir())
    assert names == ["segctl-apply-local.yml", "segctl-drift-local.yml",
                     "segctl-plan-local.yml"]
    assert f"wrote {Path('repo/.github/workflows/segctl-plan-local.yml')}" in out
    plan = (workflows / "segctl-plan-local.yml").read_text()
    assert "pull_request" in plan and "segments" in plan
    code, _, err = run("init", "other", "--ci", "prod")
    assert code == 0 and "declare it in segments/environments.yaml" in err

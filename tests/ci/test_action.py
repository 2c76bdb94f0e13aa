"""action.yml itself, run step by step by a small local runner: inputs reach segctl only
through env:, outputs carry paths and counts, the plan file is uploaded as an artifact, and the
install step installs the action's own folder (run for real, in a fresh virtual environment,
when SEGCTL_TEST_ACTION_INSTALL=1, as .ci/run sets it: about 30 s of pip)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from .action_runner import Runner, base_env
from .fakegithub import FakeGitHub
from .story import REPO, Actions

BIN = str(Path(sys.executable).parent)


def test_plan_through_the_action(tmp_path: Path) -> None:
    project = tmp_path / "repo"
    shutil.copytree(REPO / "segments", project / "team" / "segments")
    with FakeGitHub() as github:
        pr = github.state.open_pull("a1" * 20, "c0" * 20)
        env = Actions(project, github).env("pull_request", {"pull_request":
                                                            github.state.pulls[pr]},
                                           sha="f" * 40, workflow="segctl-plan-local.yml")
        env = base_env({k: v for k, v in env.items() if k.startswith(("GITHUB_", "RUNNER_"))}
                       | {"SEGCTL_SANDBOX_DIR": str(tmp_path / ".segctl")})
        env["PATH"] = f"{BIN}:{env['PATH']}"
        env.pop("GITHUB_TOKEN")  # the action passes its github-token input instead
        run = Runner(REPO, project, env).run({
            "command": "plan", "working-directory": "team", "env": "local",
            "comment-key": "team", "labels": "false", "install": "false",
            "github-token": "bot-token"})
        assert not run.failed, run.stdout
        assert [name for name, _ in run.steps] == ["Run segctl"]
        assert run.outputs["exitcode"] == "2" and run.outputs["has-changes"] == "true"
        assert run.outputs["summary"].startswith("Plan: 13 to create")
        assert Path(run.outputs["plan-file"]).is_file()
        assert "\n" not in "".join(run.outputs.values())  # never plan text
        [(uses, with_)] = run.uses
        assert uses.startswith("actions/upload-artifact@")
        assert with_["name"] == "segctl-plan-local-a1a1a1a1a1a1"
        assert with_["path"].split() == [run.outputs["plan-file"], run.outputs["plan-markdown"]]
        [comment] = github.state.bot_comments(pr)
        assert comment["body"].startswith('<!-- segctl:v1 {"artifact"')
        assert '"key":"plan:team"' in comment["body"]
        assert github.state.issues[pr]["labels"] == []  # labels: false


def test_validate_and_unknown_commands(tmp_path: Path) -> None:
    shutil.copytree(REPO / "tests" / "fixtures" / "invalid", tmp_path / "segments")
    env = base_env({"PATH": f"{BIN}:/usr/bin:/bin"})
    runner = Runner(REPO, tmp_path, env)
    run = runner.run({"command": "validate", "install": "false"})
    assert run.failed and "::error file=segments/" in run.stdout
    assert run.uses == []  # no plan file: nothing to upload
    bad = runner.run({"command": "destroy-everything", "install": "false"})
    assert bad.failed and "unknown command 'destroy-everything'" in bad.stdout


def test_no_expression_in_any_run_line_and_every_input_passes_through_env() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    steps = action["runs"]["steps"]
    assert all("${{" not in step.get("run", "") for step in steps)
    passed = "".join(str(step.get("env", {})) for step in steps)
    passed += "".join(str(step.get("if", "")) + str(step.get("working-directory", ""))
                      for step in steps)
    for name in action["inputs"]:
        assert f"inputs.{name}" in passed, name


def test_the_install_step_pip_installs_the_action_folder_which_is_segctl(
        tmp_path: Path) -> None:
    """The step's own script runs (with a ``python`` that records its arguments): it installs
    ``github.action_path``, the folder holding action.yml, and that folder is the segctl
    project, with its ``segctl`` command."""
    fake = tmp_path / "fakebin"
    fake.mkdir()
    (fake / "python").write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$RECORD"\n')
    (fake / "python").chmod(0o755)
    shutil.copytree(REPO / "segments", tmp_path / "ws" / "segments")
    env = base_env({"PATH": f"{fake}:{BIN}:/usr/bin:/bin", "RECORD": str(tmp_path / "argv")})
    run = Runner(REPO, tmp_path / "ws", env).run({"command": "validate"})  # install: "true"
    assert run.steps == [("Install segctl", 0), ("Run segctl", 0)], run.stdout
    argv = (tmp_path / "argv").read_text().splitlines()
    assert argv == ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(REPO)]
    installed = Path(argv[-1])
    assert (installed / "action.yml").is_file()
    project = tomllib.loads((installed / "pyproject.toml").read_text())["project"]
    assert project["name"] == "segctl" and project["scripts"] == {"segctl": "segctl.cli:main"}
    skipped = Runner(REPO, tmp_path / "ws", env).run({"command": "validate", "install": "false"})
    assert [name for name, _ in skipped.steps] == ["Run segctl"]


@pytest.mark.skipif(os.environ.get("SEGCTL_TEST_ACTION_INSTALL") != "1",
                    reason="pip-installs segctl and its dependencies into a fresh virtual "
                           "environment (about 30 s); .ci/run sets SEGCTL_TEST_ACTION_INSTALL=1")
def test_the_install_step_for_real_in_a_fresh_venv(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    shutil.copytree(REPO / "segments", tmp_path / "ws" / "segments")
    env = base_env({"PATH": f"{venv / 'bin'}:/usr/bin:/bin"})
    env.pop("VIRTUAL_ENV", None)
    env.pop("PYTHONPATH", None)
    run = Runner(REPO, tmp_path / "ws", env).run({"command": "validate"})
    assert run.steps == [("Install segctl", 0), ("Run segctl", 0)], run.stdout
    assert "OK: " in run.stdout  # validate ran, from the installed copy
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import segctl; print(segctl.__file__)"], env=env, check=True,
                           capture_output=True, text=True, cwd=tmp_path).stdout.strip()
    assert Path(where).is_relative_to(venv) and (Path(where).parent / "_schemas").is_dir()

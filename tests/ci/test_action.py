"""action.yml itself, run step by step by a small local runner: inputs reach segctl only
through env:, outputs carry paths and counts, the plan file is uploaded as an artifact."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

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

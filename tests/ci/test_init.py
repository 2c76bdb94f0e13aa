"""``segctl ci init`` writes the three workflows; this repository's own are exactly its
output for the local sandbox with ``uses: ./`` (they dogfood the action)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from click.testing import CliRunner

from segctl.ci.workflows import InitOptions, render_workflows
from segctl.cli import cli

from .story import REPO


def test_the_repository_dogfoods_what_init_writes() -> None:
    expected = render_workflows(InitOptions(env="local", uses="./", local=True))
    for name, text in expected.items():
        assert (REPO / ".github" / "workflows" / name).read_text() == text, name


def test_init_writes_plan_apply_and_drift_for_an_environment(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["ci", "init", "--env", "prod", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    folder = tmp_path / ".github" / "workflows"
    plan = yaml.safe_load((folder / "segctl-plan-prod.yml").read_text())
    apply = yaml.safe_load((folder / "segctl-apply-prod.yml").read_text())
    drift = yaml.safe_load((folder / "segctl-drift-prod.yml").read_text())
    on = True  # PyYAML reads the key `on` as True
    assert set(plan[on]) == {"pull_request", "merge_group"}
    assert plan["concurrency"]["cancel-in-progress"] is True
    assert plan["jobs"]["plan"]["environment"] == "prod-plan"
    assert apply["concurrency"] == {"group": "segctl-apply-prod", "cancel-in-progress": False,
                                    "queue": "max"}
    assert apply["jobs"]["apply"]["environment"] == "prod"
    assert "approve-digest" in apply[on]["workflow_dispatch"]["inputs"]
    assert drift[on]["schedule"] == [{"cron": "17 4 * * *"}]
    assert drift["permissions"] == {"contents": "read", "issues": "write", "actions": "read"}
    for doc in (plan, apply, drift):
        steps = next(iter(doc["jobs"].values()))["steps"]
        assert steps[0]["with"] == {"persist-credentials": False}
        assert all("@" in s["uses"] and len(s["uses"].split("@")[1]) == 40
                   for s in steps[:2])  # third-party actions pinned to commits
        assert "AEP_CLIENT_SECRET" in steps[2]["env"]
    # unchanged files are rewritten quietly; a changed one is refused without --force
    (folder / "segctl-plan-prod.yml").write_text("# mine\n")
    again = CliRunner().invoke(cli, ["ci", "init", "--env", "prod", "--dir", str(tmp_path)])
    assert again.exit_code == 1 and "exists and differs" in str(again.exception)
    forced = CliRunner().invoke(cli, ["ci", "init", "--env", "prod", "--dir", str(tmp_path),
                                      "--force"])
    assert forced.exit_code == 0


def test_every_ci_command_teaches_with_an_example() -> None:
    for command in ("plan", "apply", "drift", "init"):
        result = CliRunner().invoke(cli, ["ci", command, "--help"])
        assert result.exit_code == 0
        assert f"segctl ci {command}" in result.output.split("Example", 1)[1]


def test_every_segctl_variable_segctl_ci_reads_is_in_the_readmes_github_section() -> None:
    """``SEGCTL_BOT_LOGIN`` (a GitHub App's bot) was once documented only in ``ci --help``."""
    source = (REPO / "segctl" / "ci" / "context.py").read_text(encoding="utf-8")
    read = set(re.findall(r'environ\.get\("(SEGCTL_[A-Z_]+)"', source))
    assert {"SEGCTL_BOT_LOGIN", "SEGCTL_GITHUB_TOKEN"} <= read
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Use in GitHub", 1)[1].split("\n## ", 1)[0]
    assert sorted(name for name in read if f"`{name}`" not in section) == []

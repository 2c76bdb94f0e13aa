"""Single steps of ``segctl ci`` as a process: a fork's pull request, the merge queue, and
runs outside GitHub Actions (the comment and the calls printed, nothing sent)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .fakegithub import FakeGitHub
from .story import Actions, copy_project


def test_a_fork_without_a_write_token_gets_a_warning_and_the_summary(tmp_path: Path) -> None:
    copy_project(tmp_path / "segments")
    with FakeGitHub() as github:
        github.state.tokens["fork-token"] = "github-actions[bot]"
        github.state.read_only.add("fork-token")
        pr = github.state.open_pull("a1" * 20, "c0" * 20, fork=True)
        step = Actions(tmp_path, github).pull_request(pr, token="fork-token")
        assert step.code == 0, step.err
        assert "::warning::cannot comment on #1 (403" in step.out
        assert "5 to create" in step.summary
        assert step.outputs["has-changes"] == "true" and step.outputs["comment-url"] == ""
        assert github.state.comments.get(pr) is None


def test_the_merge_queue_plans_without_commenting(tmp_path: Path) -> None:
    copy_project(tmp_path / "segments")
    with FakeGitHub() as github:
        actions = Actions(tmp_path, github)
        env = actions.env("merge_group", {"merge_group": {"head_sha": "d" * 40}}, sha="d" * 40,
                          workflow="segctl-plan-local.yml")
        step = actions.run(["ci", "plan", "--fail-on", "changes"], env)
        assert step.code == 2  # fail-on changes: exit 2 fails the step
        assert step.outputs["exitcode"] == "2"
        assert github.state.writes() == []


def test_evaluation_work_alone_is_work_for_plan_but_not_drift(tmp_path: Path) -> None:
    """Definitions written with --no-jobs: nothing to write, but every segment awaits its
    evaluation. ``ci plan`` reports work (exit 2, has-changes) as ``plan --detailed-exitcode``
    does; ``ci drift`` does not (pending jobs are not drift)."""
    copy_project(tmp_path / "segments")
    with FakeGitHub() as github:
        actions = Actions(tmp_path, github)
        env = actions.env("merge_group", {"merge_group": {"head_sha": "d" * 40}}, sha="d" * 40,
                          workflow="segctl-plan-local.yml")
        applied = actions.run(["apply", "--auto-approve", "--no-jobs"], env)
        assert applied.code == 0, applied.err
        env = actions.env("merge_group", {"merge_group": {"head_sha": "d" * 40}}, sha="d" * 40,
                          workflow="segctl-plan-local.yml")
        step = actions.run(["ci", "plan", "--fail-on", "changes"], env)
        assert step.code == 2, step.err
        assert step.outputs["has-changes"] == "true" and step.outputs["exitcode"] == "2"
        assert "0 to create, 0 to update" in step.summary and "1 segment job" in step.summary
        assert "#### Segment jobs" in step.summary
        drift = actions.schedule_drift("d" * 40)
        assert drift.code == 0, drift.err
        assert drift.outputs["has-changes"] == "false"


def test_outside_actions_it_prints_the_comment_and_the_calls(tmp_path: Path) -> None:
    copy_project(tmp_path / "segments")
    (tmp_path / "event.json").write_text('{"pull_request": {"number": 4, "head": {"sha": "'
                                         + "e" * 40 + '"}}}')
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "SEGCTL_"))}
    env.update({"SEGCTL_SANDBOX_DIR": str(tmp_path / ".segctl"), "GITHUB_EVENT_NAME":
                "pull_request", "GITHUB_EVENT_PATH": str(tmp_path / "event.json"),
                "GITHUB_REPOSITORY": "acme/segments"})
    done = subprocess.run([sys.executable, "-m", "segctl", "ci", "plan"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("<!-- segctl:v1 ")
    calls = done.stdout.split("GitHub API calls this run would make:\n", 1)[1].split()
    assert calls == ["GET", "/repos/acme/segments/pulls/4",
                     "GET", "/repos/acme/segments/issues/4/comments?per_page=100",
                     "POST", "/repos/acme/segments/issues/4/comments",
                     "GET", "/repos/acme/segments/issues/4/labels?per_page=100",
                     "POST", "/repos/acme/segments/issues/4/labels"]
    assert (tmp_path / ".segctl-ci" / "plan-local.json").is_file()


def test_saved_approval_applies_the_uploaded_plan_and_refuses_a_stale_one(
        tmp_path: Path) -> None:
    copy_project(tmp_path / "segments")
    head, merged = "a1" * 20, "b1" * 20
    with FakeGitHub() as github:
        state, actions = github.state, Actions(tmp_path, github)
        pr = state.open_pull(head, "c0" * 20)
        planned = actions.pull_request(pr)
        assert planned.code == 0, planned.err
        plan_file = Path(planned.outputs["plan-file"])
        state.upload_artifact(planned.outputs["artifact"], {plan_file.name:
                                                            plan_file.read_bytes()})
        state.merge(pr, merged)
        # a stale plan: someone changed the files on main after the review
        target = tmp_path / "segments" / "gmail-subscribers.yaml"
        original = target.read_text()
        target.write_text(original.replace("ttlInDays: 14", "ttlInDays: 15"))
        stale = actions.push(merged, "c0" * 20, SEGCTL_APPROVAL="saved")
        assert stale.code == 1 and "stale" in stale.err
        target.write_text(original)
        applied = actions.push(merged, "c0" * 20, SEGCTL_APPROVAL="saved")
        assert applied.code == 0, applied.err
        assert applied.outputs["applied"] == "true"
        assert "applying the plan reviewed on #1" in applied.out
        assert ("GET", "/_blobs/" + str(state.artifacts[0]["id"])) in state.log


def test_apply_outside_actions_writes_nothing(tmp_path: Path) -> None:
    copy_project(tmp_path / "segments")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "SEGCTL_"))}
    env["SEGCTL_SANDBOX_DIR"] = str(tmp_path / ".segctl")
    done = subprocess.run([sys.executable, "-m", "segctl", "ci", "apply", "--approval", "auto"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Dry run: apply would now write this plan to local." in done.stdout
    replan = subprocess.run([sys.executable, "-m", "segctl", "plan", "--detailed-exitcode"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert replan.returncode == 2  # still everything to create: nothing was applied


def test_the_github_token_never_reaches_the_log_even_with_debug(tmp_path: Path) -> None:
    copy_project(tmp_path / "segments")
    with FakeGitHub() as github:
        secret = "ghs_" + "s3cr3t" * 6
        github.state.tokens[secret] = "github-actions[bot]"
        pr = github.state.open_pull("a1" * 20, "c0" * 20)
        actions = Actions(tmp_path, github)
        env = actions.env("pull_request", {"pull_request": github.state.pulls[pr]},
                          sha="f" * 40, workflow="segctl-plan-local.yml", token=secret)
        step = actions.run(["--debug", "ci", "plan"], env)
        assert step.code == 0, step.err
        assert "/repos/acme/segments/issues/1/comments" in step.err  # the traffic was logged
        assert secret not in step.out + step.err + step.summary
        assert len(github.state.bot_comments(pr)) == 1


def test_a_failed_apply_fails_the_job_and_opens_the_drift_issue(tmp_path: Path) -> None:
    copy_project(tmp_path / "segments")
    with FakeGitHub() as github:
        state, actions = github.state, Actions(tmp_path, github)
        pr = state.open_pull("a1" * 20, "c0" * 20)
        assert actions.pull_request(pr).code == 0
        state.merge(pr, "b1" * 20)
        failed = actions.push("b1" * 20, "c0" * 20, SEGCTL_FAULTS="job_fail=1.0,seed=1")
        assert failed.code == 1 and "Apply failed" in failed.err
        assert failed.outputs["applied"] == "false"
        assert "| ❌ failed | segment-job run |" in failed.summary
        [issue] = [i for i in state.issues.values() if "pull_request" not in i]
        assert issue["labels"] == [{"name": "segctl-drift"}]
        assert "Apply failed in run" in issue["body"]
        assert "**Apply failed in [run" in state.bot_comments(pr)[0]["body"]

"""The whole story of issue 13, with the real ``segctl ci`` process, the fake GitHub API and
the local sandbox: PR opened -> plan comment -> push (comment updated, not duplicated) ->
merge -> gated apply -> an unreviewed merge refused, then approved by digest -> a live edit
-> drift issue opened -> apply -> drift issue closed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from segctl.ci.marker import read_marker

from .fakegithub import BOT, FakeGitHub
from .story import Actions, copy_project

C0, H1, H2, M1, H3, M2 = ("c0" * 20, "a1" * 20, "a2" * 20, "b1" * 20, "a3" * 20, "b2" * 20)
KEY = "plan:local:segments"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def ours(github: FakeGitHub, number: int, key: str = KEY) -> list[dict]:
    return [c for c in github.state.bot_comments(number)
            if (read_marker(c["body"]) or {}).get("key") == key]


@pytest.fixture
def world(tmp_path: Path):
    copy_project(tmp_path / "segments")
    with FakeGitHub() as github:
        # main at C0 is applied: the starting point of every team that adopts the workflows
        subprocess.run([sys.executable, "-m", "segctl", "apply", "segments", "--auto-approve",
                        "--no-jobs"], cwd=tmp_path, check=True, capture_output=True,
                       env={"PATH": "/usr/bin:/bin", "SEGCTL_SANDBOX_DIR":
                            str(tmp_path / ".segctl"), "HOME": str(tmp_path)})
        github.state.commits.append(C0)
        github.state.record_run("segctl-apply-local.yml", C0, "success")
        yield tmp_path, github, Actions(tmp_path, github)


def test_pull_request_to_drift_closed(world) -> None:
    workdir, github, actions = world
    state = github.state
    segments = workdir / "segments"

    # -- PR opened: 150 human comments already, so the plan comment lands on page 2
    pr = state.open_pull(H1, C0)
    for n in range(150):
        state.add_comment(pr, f"review note {n}", "alice")
    edit(segments / "female-customers.yaml", 'pql: person.gender = "female"',
         'pql: person.gender = "female" and person.name.lastName.isNotNull()')
    first = actions.pull_request(pr)
    assert first.code == 0, first.err
    assert "::add-mask::" in first.out  # the AEP bearer token, hidden from the job's log
    assert "bot-token" not in first.out + first.err + first.summary
    [comment] = ours(github, pr)
    marker = read_marker(comment["body"])
    assert marker is not None and marker["sha"] == H1
    assert first.outputs["has-changes"] == "true"
    assert first.outputs["digest"] == marker["digest"]
    assert first.outputs["comment-url"] == comment["html_url"]
    assert Path(first.outputs["plan-file"]).is_file()
    body = comment["body"]
    assert "<ins> and person.name.lastName.isNotNull()</ins>" in body
    assert "Membership changes indirectly" in body and "**vip-women** through" in body
    assert "on-demand segment job" in body
    assert "segctl plan" in first.summary
    assert [x["name"] for x in state.issues[pr]["labels"]] == ["segctl:add-or-update"]

    # -- push: the same comment is updated, not duplicated; an unchanged re-run sends nothing
    state.push_to_pull(pr, H2)
    edit(segments / "gmail-subscribers.yaml", "(any case).", "(in any letter case).")
    second = actions.pull_request(pr)
    assert second.code == 0, second.err
    [updated] = ours(github, pr)
    assert updated["id"] == comment["id"] and read_marker(updated["body"])["sha"] == H2
    assert ("PATCH", f"/repos/{state.repo}/issues/comments/{comment['id']}") in state.writes()
    before = len(state.writes())
    again = actions.pull_request(pr)
    assert again.code == 0 and len(state.writes()) == before  # nothing re-sent

    # -- a re-run of the older commit's plan never overwrites the head's
    state.pulls[pr]["head"]["sha"] = H2
    stale_event = dict(state.pulls[pr], head={**state.pulls[pr]["head"], "sha": H1})
    state.pulls[pr], real = stale_event, state.pulls[pr]
    env = actions.env("pull_request", {"pull_request": stale_event}, sha="f" * 40,
                      workflow="segctl-plan-local.yml")
    state.pulls[pr] = real
    stale = actions.run(["ci", "plan"], env)
    assert stale.code == 0 and "this older plan does not replace" in stale.out
    assert len(state.writes()) == before

    # -- merge, then the gated apply: covered by the PR's reviewed plan
    state.merge(pr, M1)
    applied = actions.push(M1, C0)
    assert applied.code == 0, applied.out + applied.err
    assert applied.outputs["applied"] == "true"
    assert "Apply report" in applied.summary
    [done] = ours(github, pr)
    assert "**Applied in [run" in done["body"]
    state.record_run("segctl-apply-local.yml", M1, "success")

    # -- a PR merged without any plan: apply writes nothing, posts the plan, exits 1
    pr2 = state.open_pull(H3, M1)
    edit(segments / "gmail-subscribers.yaml", "ttlInDays: 14", "ttlInDays: 21")
    state.merge(pr2, M2)
    refused = actions.push(M2, M1)
    assert refused.code == 1
    assert "apply refused" in refused.err
    assert refused.outputs["applied"] == "false"
    [refusal] = ours(github, pr2, "apply:local:segments")
    digest = refused.outputs["digest"]
    assert digest in refusal["body"] and "Apply refused" in refusal["body"]
    state.record_run("segctl-apply-local.yml", M2, "failure")
    approved = actions.dispatch_apply(M2, digest)
    assert approved.code == 0, approved.out + approved.err
    assert approved.outputs["applied"] == "true"
    state.record_run("segctl-apply-local.yml", M2, "success")

    # -- a live edit outside segctl, then the nightly drift check opens one issue
    live_edit(workdir, "US Residents", "edited in the AEP UI")
    drift = actions.schedule_drift(M2)
    assert drift.code == 0, drift.err
    [issue] = [i for i in state.issues.values() if "pull_request" not in i]
    assert issue["state"] == "open" and issue["labels"] == [{"name": "segctl-drift"}]
    assert "**us-residents** update (`description`) — **edited outside segctl**" in \
        issue["body"]
    assert drift.outputs["issue-number"] == str(issue["number"])
    comments_before = len(state.comments.get(issue["number"], []))
    quiet = actions.schedule_drift(M2)  # same drift: no comment, no second issue
    assert quiet.code == 0
    assert len([i for i in state.issues.values() if "pull_request" not in i]) == 1
    assert len(state.comments.get(issue["number"], [])) == comments_before

    # -- apply (approved by digest: no pull request reviewed reverting the live edit)
    revert = actions.push(M2, M2)
    assert revert.code == 1  # refused: the change was never reviewed
    fixed = actions.dispatch_apply(M2, revert.outputs["digest"])
    assert fixed.code == 0, fixed.err
    state.record_run("segctl-apply-local.yml", M2, "success")

    # -- drift again: none, so the issue is closed with a comment
    clean = actions.schedule_drift(M2)
    assert clean.code == 0
    assert state.issues[issue["number"]]["state"] == "closed"
    assert "Resolved in run" in state.comments[issue["number"]][-1]["body"]
    assert all(c["user"]["login"] == BOT for c in state.comments[issue["number"]])


def live_edit(workdir: Path, name: str, description: str) -> None:
    code = (
        "import sys\n"
        "from segctl.target import open_client\n"
        "with open_client(None) as client:\n"
        "    seg = next(s for s in client.list_segment_definitions() if s['name'] == sys.argv[1])\n"
        "    client.update_segment_definition(seg['id'], {**seg, 'description': sys.argv[2]})\n")
    subprocess.run([sys.executable, "-c", code, name, description], cwd=workdir, check=True,
                   env={"PATH": "/usr/bin:/bin", "SEGCTL_SANDBOX_DIR": str(workdir / ".segctl"),
                        "HOME": str(workdir)})

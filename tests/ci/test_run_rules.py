"""The rules of ``segctl ci plan|apply|drift`` as the exact requests they send (respx).

Each test runs the real ``run_plan``/``run_apply``/``run_drift`` in-process against a small
project on the local sandbox (an in-process httpx transport, untouched by respx) and a GitHub
API mocked by respx. Every request must match a route (an unexpected one fails the test), and
the test asserts the whole ordered list of (method, path, JSON body) sent, so a request that
must not be sent is one that is missing from that list:

- an older commit's plan never overwrites the head's comment;
- a fork's pull request gets a warning plus the job summary, never a failure;
- the drift issue is opened, reopened, updated (commenting only on a new digest) and closed;
- after apply, the reviewed plan comment gains "Applied in run N".
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from segctl.aep import RetryPolicy, Secret
from segctl.ci.context import CiContext
from segctl.ci.digest import change_hashes
from segctl.ci.drift import drift_key
from segctl.ci.github import GitHub
from segctl.ci.marker import read_marker, render_marker
from segctl.ci.run import ApplyNotReviewedError, run_apply, run_plan
from segctl.ci.session import CiOptions, Session
from segctl.ci.tracking import run_drift
from segctl.engine import build_plan, load_plan
from segctl.errors import SegctlError
from segctl.project import load_project
from segctl.target import open_client

API = "https://api.github.test"
REPO = "/repos/acme/segments"
BOT = "github-actions[bot]"
HEAD, OLD, BASE, MERGED = "a1" * 20, "0d" * 20, "c0" * 20, "b1" * 20
RUN_URL = "https://github.test/acme/segments/actions/runs/1012"
EXAMPLE = Path(__file__).resolve().parents[2] / "segments"
FILES = ("environments.yaml", "gmail-subscribers.yaml", "us-residents.yaml")

Sent = tuple[str, str, Any]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two segments and the local Environment, with their own (not yet created) sandbox."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SEGCTL_SANDBOX_DIR", str(tmp_path / ".segctl"))
    for name in ("AEP_PLATFORM_URL", "AEP_IMS_URL", "AEP_SANDBOX", "AEP_CLIENT_ID",
                 "AEP_CLIENT_SECRET", "AEP_ORG_ID", "SEGCTL_FAULTS", "SEGCTL_ENV"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "segments").mkdir()
    for name in FILES:
        shutil.copy(EXAMPLE / name, tmp_path / "segments" / name)
    return tmp_path


@pytest.fixture
def github() -> Iterator[respx.MockRouter]:
    """GitHub's API: only the routes a test declares answer; anything else fails the test."""
    with respx.mock(base_url=API + REPO, assert_all_called=False) as router:
        yield router


def sent(router: respx.MockRouter) -> list[Sent]:
    """Every request sent, in order: (method, path?query relative to the repo, JSON body)."""
    calls: list[Sent] = []
    for call in router.calls:
        request = call.request
        where = request.url.raw_path.decode().removeprefix(REPO)
        body = json.loads(request.content) if request.content else None
        calls.append((request.method, where, body))
    return calls


def pr_event(head: str, *, fork: bool = False) -> dict[str, Any]:
    head_repo = "mallory/segments" if fork else "acme/segments"
    return {"action": "synchronize", "number": 7, "pull_request": {
        "number": 7, "head": {"sha": head, "repo": {"full_name": head_repo}},
        "base": {"sha": BASE, "repo": {"full_name": "acme/segments"}}}}


def session(tmp_path: Path, event_name: str, event: dict[str, Any], *, sha: str,
            workflow: str, token: str = "t0ken") -> tuple[Session, list[str]]:
    ctx = CiContext(in_actions=True, repository="acme/segments", api_url=API,
                    server_url="https://github.test", token=Secret(token), bot_login=BOT,
                    event_name=event_name, event=event, sha=sha, ref="refs/heads/main",
                    run_id="1012", run_number="12", workflow_file=workflow,
                    step_summary=tmp_path / "summary.md", output=tmp_path / "output")
    gh = GitHub(API, "acme/segments", Secret(token) if token else None,
                sleep=lambda _s: None, retry=RetryPolicy(max_attempts=3, base_delay=0.0))
    echoed: list[str] = []
    return Session(ctx, gh, echoed.append), echoed


def options(tmp_path: Path) -> CiOptions:
    return CiOptions(path=Path("segments"), out_dir=tmp_path / "out")


def comment(cid: int, body: str, login: str = BOT) -> dict[str, Any]:
    return {"id": cid, "body": body, "user": {"login": login},
            "html_url": f"https://github.test/acme/segments/pull/7#issuecomment-{cid}"}


def live_plan_hashes() -> list[str]:
    """The change hashes of the plan at HEAD against the sandbox (what a review covered)."""
    project = load_project(Path("segments"))
    with open_client(project.environment, project_root=project.root) as client:
        return change_hashes(build_plan(project, client))


def apply_files(tmp_path: Path) -> None:
    """Apply the project outside segctl ci (definitions only), so nothing drifts."""
    from segctl.cli import main

    try:
        main(["apply", "segments", "--auto-approve", "--no-jobs"])
    except SystemExit as done:
        assert not done.code


# -- an older commit's plan never overwrites the head's comment --------------------------------

def test_an_older_commits_plan_reads_the_pull_request_and_writes_nothing(
        project: Path, github: respx.MockRouter) -> None:
    github.get("/pulls/7").respond(200, json={"number": 7, "head": {"sha": HEAD}})
    github.get("/issues/7/comments").respond(200, json=[comment(33, render_marker(
        {"key": "plan:local:segments", "sha": HEAD, "hash": "h"}) + "\n\nthe head's plan")])
    s, echoed = session(project, "pull_request", pr_event(OLD), sha="f" * 40,
                        workflow="segctl-plan-local.yml")
    assert run_plan(s, options(project)) == 0
    assert sent(github) == [("GET", "/pulls/7", None)]  # no comment read, PATCH, POST, labels
    assert (f"::notice::the pull request's head is now {HEAD[:7]}, not {OLD[:7]}: this older "
            "plan does not replace its comment") in echoed
    assert s.outputs["comment-url"] == "" and s.outputs["has-changes"] == "true"
    assert "2 to create" in (project / "summary.md").read_text()  # the plan still goes there


def test_the_heads_plan_replaces_an_older_commits_comment(
        project: Path, github: respx.MockRouter) -> None:
    """The control: the same run for the PR's current head PATCHes the sticky comment."""
    old = comment(33, render_marker({"key": "plan:local:segments", "sha": OLD, "hash": "h"})
                  + "\n\nthe old plan")
    github.get("/pulls/7").respond(200, json={"number": 7, "head": {"sha": HEAD}})
    github.get("/issues/7/comments").respond(200, json=[comment(32, "lgtm", "alice"), old])
    github.patch("/issues/comments/33").respond(200, json=old)
    github.get("/issues/7/labels").respond(200, json=[{"name": "segctl:no-changes"}])
    github.delete("/issues/7/labels/segctl:no-changes").respond(200, json=[])
    github.post("/issues/7/labels").respond(200, json=[])
    s, _ = session(project, "pull_request", pr_event(HEAD), sha="f" * 40,
                   workflow="segctl-plan-local.yml")
    assert run_plan(s, options(project)) == 0
    calls = sent(github)
    assert [(m, p) for m, p, _ in calls] == [
        ("GET", "/pulls/7"), ("GET", "/issues/7/comments?per_page=100"),
        ("PATCH", "/issues/comments/33"), ("GET", "/issues/7/labels?per_page=100"),
        ("DELETE", "/issues/7/labels/segctl:no-changes"), ("POST", "/issues/7/labels")]
    body = calls[2][2]["body"]
    planned = load_plan(Path(s.outputs["plan-file"]))
    fields = read_marker(body) or {}
    assert len(fields.pop("hash")) == 16  # of the body, so an unchanged one is not re-sent
    assert fields == {"key": "plan:local:segments", "sha": HEAD, "digest": s.outputs["digest"],
                      "changes": change_hashes(planned),
                      "artifact": f"segctl-plan-local-{HEAD[:12]}"}
    assert "<b>gmail-subscribers</b>" in body and "<b>us-residents</b>" in body
    assert calls[5][2] == {"labels": ["segctl:add-or-update"]}
    assert s.outputs["comment-url"].endswith("#issuecomment-33")


# -- a fork's pull request: a warning plus the summary, never a failure -------------------------

def test_a_fork_without_a_token_sends_nothing_and_warns(
        project: Path, github: respx.MockRouter) -> None:
    s, echoed = session(project, "pull_request", pr_event(HEAD, fork=True), sha="f" * 40,
                        workflow="segctl-plan-local.yml", token="")
    assert run_plan(s, options(project)) == 0
    assert sent(github) == []
    assert ("::warning::this pull request comes from a fork and its token cannot comment: "
            "the plan is in the job summary") in echoed
    assert "2 to create" in (project / "summary.md").read_text()
    assert s.outputs["comment-url"] == "" and s.outputs["exitcode"] == "2"


@pytest.mark.parametrize("status", [403, 404])
def test_a_forks_read_only_token_gets_a_warning_on_the_refused_post(
        project: Path, github: respx.MockRouter, status: int) -> None:
    github.get("/pulls/7").respond(200, json={"number": 7, "head": {"sha": HEAD}})
    github.get("/issues/7/comments").respond(200, json=[])
    github.post("/issues/7/comments").respond(
        status, json={"message": "Resource not accessible by integration"})
    s, echoed = session(project, "pull_request", pr_event(HEAD, fork=True), sha="f" * 40,
                        workflow="segctl-plan-local.yml", token="fork-t0ken")
    assert run_plan(s, options(project)) == 0
    calls = sent(github)
    # the POST is sent once (not retried), and no label is read or set after it
    assert [(m, p) for m, p, _ in calls] == [
        ("GET", "/pulls/7"), ("GET", "/issues/7/comments?per_page=100"),
        ("POST", "/issues/7/comments")]
    assert read_marker(calls[2][2]["body"])["sha"] == HEAD
    assert (f"::warning::cannot comment on #7 ({status}: the token has no write access, as on "
            "a fork's pull request): the plan is in the job summary") in echoed
    assert "2 to create" in (project / "summary.md").read_text()
    assert s.outputs["comment-url"] == "" and s.outputs["has-changes"] == "true"
    assert not any("fork-t0ken" in line for line in echoed)


# -- the drift issue ---------------------------------------------------------------------------

KEY = drift_key("local", "segments")
TITLE = "segctl: drift in local (segments)"
RUNS = "/actions/workflows/segctl-apply-local.yml/runs?branch=main&status=success&per_page=20"
ISSUES = "/issues?per_page=100&labels=segctl-drift&state=all"


def issue(state: str, digest: str, *, number: int = 5, login: str = BOT,
          **extra: Any) -> dict[str, Any]:
    return {"number": number, "state": state, "user": {"login": login},
            "body": render_marker({"key": KEY, "digest": digest}) + "\n\nold body", **extra}


def drift(project: Path, github: respx.MockRouter, issues: list[dict[str, Any]]
          ) -> tuple[Session, list[Sent]]:
    github.get("/actions/workflows/segctl-apply-local.yml/runs").respond(
        200, json={"workflow_runs": []})
    github.get("/issues").respond(200, json=issues)
    github.post("/issues").respond(201, json={"number": 9})
    github.route(method__in=["PATCH"], path__regex=r"/issues/\d+$").respond(200, json={})
    github.route(method="POST", path__regex=r"/issues/\d+/comments$").respond(201, json={})
    s, _ = session(project, "schedule", {"schedule": "17 4 * * *"}, sha=MERGED,
                   workflow="segctl-drift-local.yml")
    assert run_drift(s, options(project)) == 0
    return s, sent(github)


def test_drift_opens_the_issue_when_there_is_none(project: Path,
                                                 github: respx.MockRouter) -> None:
    elsewhere = issue("open", "x", number=3, pull_request={"url": "a pull request"})
    by_a_person = issue("open", "x", number=4, login="alice")  # a copy of our marker
    s, calls = drift(project, github, [elsewhere, by_a_person])
    assert [(m, p) for m, p, _ in calls] == [("GET", RUNS), ("GET", ISSUES), ("POST", "/issues")]
    posted = calls[2][2]
    assert (posted["title"], posted["labels"]) == (TITLE, ["segctl-drift"])
    assert read_marker(posted["body"]) == {"key": KEY, "digest": s.outputs["digest"]}
    assert "**Plan: 2 to create, 0 to update" in posted["body"]
    assert f"Last checked in [this run]({RUN_URL})." in posted["body"]
    assert s.outputs["issue-number"] == "9" and s.outputs["has-changes"] == "true"


@pytest.mark.parametrize(("state", "same_digest", "fields", "commented"), [
    ("open", True, {"body"}, False),          # the same drift again: nobody is paged
    ("open", False, {"body"}, True),          # the drift changed: one comment
    ("closed", True, {"body", "state"}, True),  # it came back: reopened, with a comment
])
def test_drift_updates_or_reopens_the_one_issue(project: Path, github: respx.MockRouter,
                                                state: str, same_digest: bool,
                                                fields: set[str], commented: bool) -> None:
    from segctl.ci.digest import plan_digest

    project_ = load_project(Path("segments"))
    with open_client(project_.environment, project_root=project_.root, read_only=True) as c:
        digest = plan_digest(build_plan(project_, c))
    s, calls = drift(project, github, [issue(state, digest if same_digest else "older")])
    expected = [("GET", RUNS), ("GET", ISSUES), ("PATCH", "/issues/5")]
    if commented:
        expected.append(("POST", "/issues/5/comments"))
    assert [(m, p) for m, p, _ in calls] == expected  # never a second issue (no POST /issues)
    patch = calls[2][2]
    assert set(patch) == fields and read_marker(patch["body"]) == {"key": KEY, "digest": digest}
    if state == "closed":
        assert patch["state"] == "open"
    if commented:
        assert calls[3][2] == {"body": "The drift changed (run 12): Plan: 2 to create, 0 to "
                                       "update, 0 to replace, 0 to delete; 1 segment job, "
                                       "0 exports."}
    assert s.outputs["issue-number"] == "5"


def test_no_drift_closes_the_open_issue(project: Path, github: respx.MockRouter) -> None:
    apply_files(project)
    s, calls = drift(project, github, [issue("open", "d1")])
    assert calls == [
        ("GET", RUNS, None), ("GET", ISSUES, None),
        ("POST", "/issues/5/comments",
         {"body": "Resolved in run 12: the sandbox matches the files."}),
        ("PATCH", "/issues/5", {"state": "closed", "state_reason": "completed"})]
    assert s.outputs["has-changes"] == "false" and s.outputs["issue-number"] == "5"


def test_no_drift_and_no_open_issue_writes_nothing(project: Path,
                                                   github: respx.MockRouter) -> None:
    apply_files(project)
    _, calls = drift(project, github, [issue("closed", "d1")])
    assert calls == [("GET", RUNS, None), ("GET", ISSUES, None)]


def test_a_failing_drift_run_leaves_the_issue_alone(project: Path,
                                                    github: respx.MockRouter) -> None:
    (project / "segments" / "us-residents.yaml").write_text("kind: Segment\nkey: [\n")
    s, _ = session(project, "schedule", {}, sha=MERGED, workflow="segctl-drift-local.yml")
    with pytest.raises(SegctlError) as err:
        run_drift(s, options(project))
    assert err.value.exit_code == 1
    assert sent(github) == []  # no issue read, opened, commented or closed


# -- "Applied in run N" on the reviewed comment ------------------------------------------------

PULLS = f"/commits/{MERGED}/pulls?per_page=100"
APPLY_RUNS = "/actions/workflows/segctl-apply-local.yml/runs?branch=main&status=success&per_page=20"


def reviewed_pr(github: respx.MockRouter, reviewed: dict[str, Any]) -> None:
    github.get(f"/commits/{MERGED}/pulls").respond(
        200, json=[{"number": 7, "merged_at": "2026-12-05T10:00:00Z"}])
    github.get("/actions/workflows/segctl-apply-local.yml/runs").respond(
        200, json={"workflow_runs": []})
    github.get("/issues/7/comments").respond(
        200, json=[comment(31, "> " + reviewed["body"], "alice"), reviewed])


def push(project: Path) -> tuple[Session, list[str]]:
    return session(project, "push", {"before": BASE, "after": MERGED}, sha=MERGED,
                   workflow="segctl-apply-local.yml")


@pytest.mark.parametrize("earlier", ["", "\n\n**Apply failed in run 11:** Apply failed: 1 "
                                         "succeeded, 1 failed, 0 skipped."])
def test_apply_adds_applied_in_run_n_to_the_reviewed_comment(
        project: Path, github: respx.MockRouter, earlier: str) -> None:
    marker = render_marker({"key": "plan:local:segments", "sha": HEAD,
                            "changes": live_plan_hashes()})
    reviewed = comment(33, f"{marker}\n\nthe reviewed plan{earlier}\n")
    reviewed_pr(github, reviewed)
    github.patch("/issues/comments/33").respond(200, json=reviewed)
    s, _ = push(project)
    assert run_apply(s, options(project)) == 0
    # a rerun replaces the earlier verdict line instead of adding a second one
    applied = (f"{marker}\n\nthe reviewed plan\n\n**Applied in [run 12]({RUN_URL}):** Apply "
               "complete: 3 succeeded, 0 failed, 0 skipped.\n")
    assert sent(github) == [
        ("GET", PULLS, None), ("GET", APPLY_RUNS, None),
        ("GET", "/issues/7/comments?per_page=100", None),
        ("GET", "/issues/7/comments?per_page=100", None),  # the body as it is now
        ("PATCH", "/issues/comments/33", {"body": applied})]  # no POST: no drift issue
    assert s.outputs["applied"] == "true"


def test_a_refused_apply_marks_nothing_applied(project: Path,
                                               github: respx.MockRouter) -> None:
    """One change was not reviewed: the plan is posted under the apply key and the reviewed
    comment is left as it is."""
    hashes = live_plan_hashes()
    reviewed = comment(33, render_marker({"key": "plan:local:segments", "sha": HEAD,
                                          "changes": hashes[:1]}) + "\n\nthe reviewed plan")
    reviewed_pr(github, reviewed)
    github.post("/issues/7/comments").respond(201, json=comment(40, "refused"))
    s, echoed = push(project)
    with pytest.raises(ApplyNotReviewedError) as err:
        run_apply(s, options(project))
    assert err.value.exit_code == 1
    calls = sent(github)
    assert [(m, p) for m, p, _ in calls] == [
        ("GET", PULLS), ("GET", APPLY_RUNS), ("GET", "/issues/7/comments?per_page=100"),
        ("GET", "/issues/7/comments?per_page=100"), ("POST", "/issues/7/comments")]
    refusal = calls[4][2]["body"]
    assert read_marker(refusal)["key"] == "apply:local:segments"
    assert "**Apply refused, nothing was written:** 1 of 2 changes were not in a reviewed " \
           "plan." in refusal
    assert "::error title=segctl apply refused::1 of 2 changes were not in a reviewed plan" \
        in echoed
    assert s.outputs["applied"] == "false"
    assert live_plan_hashes() == hashes  # nothing was written to the sandbox


def test_an_unreachable_github_fails_before_anything_is_applied(
        project: Path, github: respx.MockRouter) -> None:
    """Not a rule of its own, but the gate's reads come first: a GitHub outage writes
    nothing to AEP."""
    github.get(f"/commits/{MERGED}/pulls").mock(side_effect=httpx.ConnectError("down"))
    s, _ = push(project)
    with pytest.raises(SegctlError):
        run_apply(s, options(project))
    assert [m for m, _, _ in sent(github)] == ["GET", "GET", "GET"]  # three attempts
    assert len(live_plan_hashes()) == 2

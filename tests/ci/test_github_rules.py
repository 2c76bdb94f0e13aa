"""The sticky-comment, label, retry and gate rules against GitHub's REST contract (respx)."""

from __future__ import annotations

import httpx
import pytest
import respx

from segctl.aep import RetryPolicy
from segctl.ci.gate import Reviewed, judge, merged_prs, reviewed_changes
from segctl.ci.github import GitHub, GitHubError, next_link
from segctl.ci.marker import read_marker, render_marker
from segctl.ci.sticky import set_label, upsert

API = "https://api.github.test"
REPO = "/repos/acme/segments"
BOT = "github-actions[bot]"


def gh() -> GitHub:
    from segctl.aep import Secret

    return GitHub(API, "acme/segments", Secret("t0ken"), sleep=lambda _s: None,
                  retry=RetryPolicy(max_attempts=3, base_delay=0.0))


def body(key: str = "plan:prod:segments", sha: str = "abc", hash_: str = "h1") -> str:
    return render_marker({"key": key, "sha": sha, "hash": hash_}) + "\n\nthe plan"


def comment(cid: int, text: str, login: str = "alice") -> dict:
    return {"id": cid, "body": text, "user": {"login": login}, "html_url": f"u{cid}"}


def paged(route: respx.Route, comments: list[dict], per_page: int = 30) -> None:
    pages = [comments[i:i + per_page] for i in range(0, len(comments), per_page)]
    responses = []
    for n, page in enumerate(pages, 1):
        headers = {}
        if n < len(pages):
            headers["link"] = (f'<{API}{REPO}/issues/7/comments?per_page={per_page}&'
                               f'page={n + 1}>; rel="next", <{API}/x?page={len(pages)}>; '
                               'rel="last"')
        responses.append(httpx.Response(200, json=page, headers=headers))
    route.side_effect = responses


@respx.mock
def test_marker_on_comment_33_of_35_behind_a_link_header_is_patched_not_posted() -> None:
    comments = [comment(i, f"note {i}") for i in range(1, 36)]
    comments[32] = comment(33, body(hash_="old"), BOT)
    paged(respx.get(f"{API}{REPO}/issues/7/comments"), comments)
    patch = respx.patch(f"{API}{REPO}/issues/comments/33").respond(200, json=comments[32])
    post = respx.post(f"{API}{REPO}/issues/7/comments")
    posted = upsert(gh(), 7, body(hash_="new"), key="plan:prod:segments", bot=BOT)
    assert (posted.outcome, post.called, patch.call_count) == ("updated", False, 1)
    assert "page=2" in str(respx.calls[1].request.url)


@respx.mock
def test_a_human_quote_reply_with_the_marker_is_not_ours() -> None:
    quoted = comment(5, "> " + body())
    copied = comment(6, body(), "alice")  # the whole body pasted by a person
    respx.get(f"{API}{REPO}/issues/7/comments").respond(200, json=[quoted, copied])
    post = respx.post(f"{API}{REPO}/issues/7/comments").respond(201, json=comment(9, "x", BOT))
    assert upsert(gh(), 7, body(), key="plan:prod:segments", bot=BOT).outcome == "created"
    assert post.call_count == 1


@respx.mock
def test_an_unchanged_body_sends_nothing() -> None:
    respx.get(f"{API}{REPO}/issues/7/comments").respond(200, json=[comment(3, body(), BOT)])
    assert upsert(gh(), 7, body(), key="plan:prod:segments", bot=BOT).outcome == "unchanged"
    assert [c.request.method for c in respx.calls] == ["GET"]


@respx.mock
def test_another_key_is_another_comment() -> None:
    other = comment(3, body(key="plan:staging:segments"), BOT)
    respx.get(f"{API}{REPO}/issues/7/comments").respond(200, json=[other])
    respx.post(f"{API}{REPO}/issues/7/comments").respond(201, json=comment(4, "x", BOT))
    assert upsert(gh(), 7, body(), key="plan:prod:segments", bot=BOT).outcome == "created"


@respx.mock
def test_on_change_without_changes_deletes_the_stale_comment() -> None:
    respx.get(f"{API}{REPO}/issues/7/comments").respond(200, json=[comment(3, body(), BOT)])
    delete = respx.delete(f"{API}{REPO}/issues/comments/3").respond(204)
    posted = upsert(gh(), 7, body(), key="plan:prod:segments", bot=BOT, mode="on-change",
                    has_changes=False)
    assert posted.outcome == "deleted" and delete.called


@respx.mock
def test_labels_swap_only_what_differs() -> None:
    respx.get(f"{API}{REPO}/issues/7/labels").respond(
        200, json=[{"name": "segctl:no-changes"}, {"name": "bug"}])
    remove = respx.delete(f"{API}{REPO}/issues/7/labels/segctl:no-changes").respond(200, json=[])
    add = respx.post(f"{API}{REPO}/issues/7/labels").respond(200, json=[])
    set_label(gh(), 7, "segctl:destroy")
    assert remove.called and add.calls[0].request.content == b'{"labels":["segctl:destroy"]}'


@respx.mock
def test_reads_are_retried_but_an_ambiguous_post_is_not_sent_twice() -> None:
    get = respx.get(f"{API}{REPO}/pulls/7").mock(side_effect=[
        httpx.Response(502), httpx.Response(200, json={"number": 7})])
    assert gh().pull(7) == {"number": 7} and get.call_count == 2
    post = respx.post(f"{API}{REPO}/issues/7/comments").respond(502)
    with pytest.raises(GitHubError) as err:
        gh().create_comment(7, "x")
    assert post.call_count == 1 and err.value.status == 502


@respx.mock
def test_the_secondary_rate_limit_403_waits_and_retries() -> None:
    waits: list[float] = []
    client = GitHub(API, "acme/segments", None, sleep=waits.append,
                    retry=RetryPolicy(max_attempts=3))
    route = respx.post(f"{API}{REPO}/issues/7/comments").mock(side_effect=[
        httpx.Response(403, headers={"retry-after": "2"}, json={"message": "secondary"}),
        httpx.Response(201, json={"id": 1})])
    assert client.create_comment(7, "x") == {"id": 1}
    assert route.call_count == 2 and waits == [2.0]


@respx.mock
def test_a_plain_403_is_forbidden_and_not_retried() -> None:
    route = respx.post(f"{API}{REPO}/issues/7/comments").respond(
        403, json={"message": "Resource not accessible by integration"})
    with pytest.raises(GitHubError) as err:
        gh().create_comment(7, "x")
    assert err.value.forbidden and route.call_count == 1
    assert "t0ken" not in str(err.value)


def test_next_link() -> None:
    header = '<https://a/x?page=2>; rel="next", <https://a/x?page=9>; rel="last"'
    assert next_link(header) == "https://a/x?page=2"
    assert next_link('<https://a/x?page=9>; rel="last"') is None


def test_marker_cannot_be_closed_by_a_key() -> None:
    text = render_marker({"key": "plan:x:-->evil<!--"})
    assert text.count("-->") == 1 and read_marker(text + "\nrest") == {"key":
                                                                       "plan:x:-->evil<!--"}


@respx.mock
def test_gate_reads_every_pr_merged_since_the_last_successful_apply() -> None:
    respx.get(f"{API}{REPO}/commits/m3/pulls").respond(200, json=[
        {"number": 3, "merged_at": "2026-01-01T00:00:00Z"}])
    respx.get(f"{API}{REPO}/actions/workflows/apply.yml/runs").respond(200, json={
        "workflow_runs": [{"head_sha": "m1"}]})
    respx.get(f"{API}{REPO}/compare/m1...m3").respond(200, json={
        "commits": [{"sha": "m2"}, {"sha": "m3"}]})
    respx.get(f"{API}{REPO}/commits/m2/pulls").respond(200, json=[
        {"number": 2, "merged_at": "2026-01-01T00:00:00Z"}, {"number": 9, "merged_at": None}])
    assert merged_prs(gh(), "m3", workflow="apply.yml", branch="main") == [2, 3]
    marker = render_marker({"key": "plan:prod:segments", "changes": ["aa", "bb"]})
    respx.get(f"{API}{REPO}/issues/2/comments").respond(200, json=[comment(1, marker, BOT)])
    respx.get(f"{API}{REPO}/issues/3/comments").respond(200, json=[comment(2, "lgtm")])
    reviewed = reviewed_changes(gh(), [2, 3], key="plan:prod:segments", bot=BOT)
    assert reviewed == Reviewed(frozenset({"aa", "bb"}), (2,), (3,), ((2, 1),))


def test_judge() -> None:
    reviewed = Reviewed(frozenset({"aa"}), (2,))
    a, b = ({"key": "a"}, "aa"), ({"key": "b"}, "bb")
    assert judge([a], reviewed, digest="d").ok
    verdict = judge([a, b], reviewed, digest="d")
    assert not verdict.ok and verdict.uncovered == ({"key": "b"},)
    assert judge([a, b], reviewed, digest="d", approve_digest="d").ok
    assert not judge([a], reviewed, digest="d", approve_digest="other").ok


@respx.mock
def test_gate_after_a_force_push_counts_only_this_commits_pr() -> None:
    respx.get(f"{API}{REPO}/commits/m3/pulls").respond(200, json=[
        {"number": 3, "merged_at": "2026-01-01T00:00:00Z"}])
    respx.get(f"{API}{REPO}/actions/workflows/apply.yml/runs").respond(200, json={
        "workflow_runs": [{"head_sha": "gone"}]})
    respx.get(f"{API}{REPO}/compare/gone...m3").respond(404, json={"message": "Not Found"})
    assert merged_prs(gh(), "m3", workflow="apply.yml", branch="main") == [3]

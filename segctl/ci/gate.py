"""The reviewed-plan apply gate.

Apply re-plans at HEAD and proceeds only when every change of the new plan is *covered*: its
record hash (``segctl.ci.digest``) appears in the marker of the bot's plan comment on the merged
pull request, or on any pull request merged since the last successful apply (a merge queue or
several merges between two applies). A ``workflow_dispatch`` with ``approve-digest`` equal to
the new plan's digest approves it as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from segctl.ci.github import GitHub, GitHubError
from segctl.ci.marker import read_marker
from segctl.ci.sticky import find_sticky


@dataclass(frozen=True)
class Reviewed:
    """The change hashes reviewed on ``prs``; ``unplanned``: merged PRs with no plan comment."""

    hashes: frozenset[str]
    prs: tuple[int, ...] = ()
    unplanned: tuple[int, ...] = ()
    comments: tuple[tuple[int, int], ...] = ()  # (pr, comment id) of each plan comment


@dataclass(frozen=True)
class Verdict:
    ok: bool
    uncovered: tuple[dict[str, Any], ...] = ()
    reason: str = ""


def judge(changes: Iterable[tuple[dict[str, Any], str]], reviewed: Reviewed, *, digest: str,
          approve_digest: str = "") -> Verdict:
    """Pure: ``changes`` are the new plan's (record, hash) pairs."""
    pairs = list(changes)
    records = [record for record, _ in pairs]
    if approve_digest:
        if approve_digest == digest:
            return Verdict(True, reason=f"approved by digest {digest}")
        return Verdict(False, tuple(records),
                       f"approve-digest {approve_digest} is not this plan's digest {digest}")
    missing = tuple(r for r, h in pairs if h not in reviewed.hashes)
    if not missing:
        where = ", ".join(f"#{n}" for n in reviewed.prs) or "no pull request"
        return Verdict(True, reason=f"every change was reviewed ({where})")
    return Verdict(False, missing, f"{len(missing)} of {len(records)} changes were not in a "
                                   "reviewed plan")


def merged_prs(gh: GitHub, sha: str, *, workflow: str, branch: str) -> list[int]:
    """The pull requests merged into ``sha``, and into every commit since the workflow's last
    successful run on ``branch``."""
    numbers = {int(p["number"]) for p in gh.pulls_of_commit(sha) if _merged(p)}
    runs = gh.successful_runs(workflow, branch) if workflow else []
    last = next((str(r["head_sha"]) for r in runs if r.get("head_sha")), "")
    if last and last != sha:
        try:
            commits = gh.commits_between(last, sha)
        except GitHubError as err:  # history rewritten since: only this commit's PR counts
            if err.status != 404:
                raise
            commits = []
        for commit in commits:
            numbers |= {int(p["number"]) for p in gh.pulls_of_commit(commit) if _merged(p)}
    return sorted(numbers)


def _merged(pr: dict[str, Any]) -> bool:
    return isinstance(pr.get("number"), int) and bool(pr.get("merged_at"))


def reviewed_changes(gh: GitHub, prs: Iterable[int], *, key: str, bot: str) -> Reviewed:
    hashes: set[str] = set()
    found: list[int] = []
    unplanned: list[int] = []
    comments: list[tuple[int, int]] = []
    for number in prs:
        comment = find_sticky(gh, number, key, bot)
        fields = read_marker(str(comment.get("body"))) if comment else None
        if comment is None or fields is None:
            unplanned.append(number)
            continue
        found.append(number)
        comments.append((number, int(comment["id"])))
        hashes.update(str(h) for h in fields.get("changes", []))
    return Reviewed(frozenset(hashes), tuple(found), tuple(unplanned), tuple(comments))

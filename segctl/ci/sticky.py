"""One sticky comment per (command, env, path) key on a pull request, and its labels.

The lookup reads every page of comments and matches the marker *and* the bot as author. An
unchanged body (same head SHA, same content hash) is not sent again; a plan for a commit that
is no longer the pull request's head never overwrites the head's comment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from segctl.ci.github import GitHub
from segctl.ci.marker import is_ours, read_marker

LABELS = ("segctl:no-changes", "segctl:add-or-update", "segctl:destroy")


@dataclass(frozen=True)
class Posted:
    """What happened to the comment: created, updated, unchanged, deleted, stale or skipped."""

    outcome: str
    url: str = ""
    comment_id: int | None = None


def find_sticky(gh: GitHub, issue: int, key: str, bot: str) -> dict[str, Any] | None:
    for comment in gh.comments(issue):
        if is_ours(comment, key, bot):
            return comment
    return None


def upsert(gh: GitHub, issue: int, body: str, *, key: str, bot: str,
           mode: str = "always", has_changes: bool = True) -> Posted:
    """Create, update or (``on-change`` with no changes) delete the sticky comment."""
    if mode == "never":
        return Posted("skipped")
    existing = find_sticky(gh, issue, key, bot)
    if mode == "on-change" and not has_changes:
        if existing is not None:
            gh.delete_comment(int(existing["id"]))
            return Posted("deleted")
        return Posted("skipped")
    if existing is None:
        made = gh.create_comment(issue, body)
        return Posted("created", str(made.get("html_url", "")), _id(made))
    old, new = read_marker(str(existing.get("body"))) or {}, read_marker(body) or {}
    url = str(existing.get("html_url", ""))
    if old.get("sha") == new.get("sha") and old.get("hash") == new.get("hash"):
        return Posted("unchanged", url, _id(existing))
    gh.update_comment(int(existing["id"]), body)
    return Posted("updated", url, _id(existing))


def _id(item: dict[str, Any]) -> int | None:
    value = item.get("id")
    return int(value) if isinstance(value, int) else None


def verdict_label(has_changes: bool, destroys: bool) -> str:
    if destroys:
        return LABELS[2]
    return LABELS[1] if has_changes else LABELS[0]


def set_label(gh: GitHub, issue: int, wanted: str) -> None:
    """Add ``wanted`` and remove the other two verdict labels (only calls that change
    something are made)."""
    present = set(gh.labels(issue))
    for stale in LABELS:
        if stale != wanted and stale in present:
            gh.remove_label(issue, stale)
    if wanted not in present:
        gh.add_labels(issue, [wanted])

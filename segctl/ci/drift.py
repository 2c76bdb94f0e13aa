"""Nightly drift (pure): what to do with the one drift issue of an environment.

Exit 2 (drift) opens the issue, or reopens it, and rewrites its body; it comments only when
the drift digest differs from the one in the body's marker, so nobody is paged nightly for the
same drift. Exit 0 closes an open issue. Exit 1 (an error) is never drift: the issue is left
alone and the job fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from segctl.ci.marker import read_marker, render_marker
from segctl.engine import Action, Plan
from segctl.render.escape import code, md

LABEL = "segctl-drift"


@dataclass(frozen=True)
class DriftStep:
    """``action``: create, reopen, update, close or none; ``comment``: also comment."""

    action: str
    comment: bool = False


def drift_key(env: str, path: str) -> str:
    return f"segctl:drift:{env}:{path}"


def decide(exit_code: int, issue: Mapping[str, Any] | None, digest: str) -> DriftStep:
    if exit_code == 1:
        return DriftStep("none")
    if exit_code == 0:
        open_ = issue is not None and issue.get("state") == "open"
        return DriftStep("close", comment=True) if open_ else DriftStep("none")
    if issue is None:
        return DriftStep("create")
    known = (read_marker(str(issue.get("body") or "")) or {}).get("digest")
    changed = known != digest
    if issue.get("state") != "open":
        return DriftStep("reopen", comment=True)
    return DriftStep("update", comment=changed)


def drift_title(env: str, path: str) -> str:
    return f"segctl: drift in {env} ({path})"


def drift_body(plan: Plan, key: str, digest: str, *, env: str, outside: frozenset[str],
               run_url: str) -> str:
    """The issue body: every drifted object, outside edits named as such."""
    lines = [render_marker({"key": key, "digest": digest}), "",
             f"The live sandbox of {code(env)} differs from the files on the default "
             "branch. Run the apply workflow (or `segctl apply`) to converge it, or change "
             "the files to match.", "", f"**{md(plan.summary())}**", ""]
    for change in plan.actionable:
        note = ""
        if change.key in outside:
            note = " — **edited outside segctl**"
        fields = ", ".join(code(f.field) for f in change.fields)
        what = f" ({fields})" if fields else ""
        lines.append(f"- `{change.action.glyph}` **{md(change.key)}** "
                     f"{change.action.value}{what}{note}")
    for dataset in plan.datasets:
        if dataset.action is not Action.NOOP:
            lines.append(f"- dataset **{md(dataset.name)}** {dataset.action.value}")
    if run_url:
        lines += ["", f"Last checked in [this run]({run_url})."]
    return "\n".join(lines)[:60_000] + "\n"


def edited_outside(plan: Plan, live_updates: Mapping[str, float],
                   last_apply: float | None) -> frozenset[str]:
    """Keys of segments updated live after the last successful apply.

    ``live_updates`` maps a live segment's id to its update time (epoch seconds);
    ``last_apply`` is when the last successful apply ended (None: unknown, nothing is named).
    """
    if last_apply is None:
        return frozenset()
    return frozenset(c.key for c in plan.actionable
                     if c.action is Action.UPDATE and c.id is not None
                     and live_updates.get(c.id, 0.0) > last_apply)

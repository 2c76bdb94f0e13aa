"""``approval: saved``: apply exactly the plan file the merged pull request's plan run
uploaded (the artifact ``segctl-plan-<env>-<head sha>``), refused when stale. Pairs with
up-to-date branches or a merge queue, where the reviewed plan is still the one to apply."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from segctl.ci.github import GitHub
from segctl.errors import SegctlError


class NoSavedPlanError(SegctlError):
    """No reviewed plan artifact to apply (no merged PR, or its artifact expired)."""


def artifact_name(env: str, sha: str) -> str:
    return f"segctl-plan-{env}-{sha[:12] or 'local'}"


def merged_head(gh: GitHub, sha: str) -> tuple[int, str]:
    """The pull request merged as ``sha`` and its head commit (what its plan run planned)."""
    for pr in gh.pulls_of_commit(sha):
        head = pr.get("head")
        if pr.get("merged_at") and isinstance(head, dict) and head.get("sha"):
            return int(pr["number"]), str(head["sha"])
    raise NoSavedPlanError(f"no merged pull request for commit {sha[:12]}: there is no "
                           "reviewed plan to apply",
                           hint="use approval: reviewed, or run the apply workflow by hand")


def download_plan(gh: GitHub, name: str, into: Path) -> Path:
    """The plan file inside the newest unexpired artifact called ``name``."""
    body: Any = gh.json("GET", "/actions/artifacts", params={"name": name, "per_page": 10})
    found = [a for a in (body or {}).get("artifacts", [])
             if isinstance(a, dict) and not a.get("expired")]
    if not found:
        raise NoSavedPlanError(f"no artifact {name} (never uploaded, or expired)",
                               hint="re-run the pull request's plan workflow, or use "
                                    "approval: reviewed")
    newest = max(found, key=lambda a: str(a.get("created_at", "")))
    data = gh.download(str(newest["archive_download_url"]))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [m for m in archive.namelist() if m.endswith(".json")]
        if len(members) != 1:
            raise NoSavedPlanError(f"artifact {name} holds {len(members)} plan files, not one")
        into.mkdir(parents=True, exist_ok=True)
        target = into / f"reviewed-{Path(members[0]).name}"
        target.write_bytes(archive.read(members[0]))
    return target

"""`pql eval` says when inSegment("key:...") cannot be resolved, and resolves it with
--project (or takes the membership from --in-segment key:...)."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Run


def _profile(workdir: Path, gender: str) -> str:
    path = workdir / f"{gender}.json"
    path.write_text(json.dumps({"person": {"gender": gender}}))
    return str(path)


def test_unresolved_key_reference_is_reported(workdir: Path, run: Run) -> None:
    code, out, err = run("pql", "eval", 'inSegment("key:female-customers")',
                         "--profile", _profile(workdir, "female"))
    assert (code, out) == (0, "false\n")
    assert 'warning: inSegment("key:female-customers") cannot be resolved without a project' \
        in err and "--project DIR" in err and "--in-segment key:female-customers" in err


def test_project_evaluates_the_referenced_segment(workdir: Path, run: Run) -> None:
    female = _profile(workdir, "female")
    code, out, err = run("pql", "eval", 'inSegment("key:female-customers")', "--profile",
                         female, "--project", "segments")
    assert (code, out, err) == (0, "true\n", "")
    code, out, _ = run("pql", "eval", 'inSegment("key:female-customers")', "--profile",
                       _profile(workdir, "male"), "--project", "segments")
    assert out == "false\n"
    code, out, err = run("pql", "eval", 'inSegment("key:female-customers")', "--profile",
                         _profile(workdir, "male"), "--in-segment", "key:female-customers")
    assert (code, out, err) == (0, "true\n", "")
    code, _, err = run("pql", "eval", 'inSegment("key:femal-customers")', "--profile", female,
                       "--project", "segments")
    assert code == 1 and "key:femal-customers: no such segment in segments" in err

"""A segment whose key and name both change keeps its live id through `previousKeys:`: apply
updates it in place (never a delete and a create), and its dependents keep pointing at it."""

from __future__ import annotations

from pathlib import Path

from segctl.aep import AepClient, AepConfig
from segctl.sandbox import LocalSandbox

from .conftest import Run


def _ids(workdir: Path) -> dict[str, str]:
    sandbox = LocalSandbox(workdir / ".segctl")
    try:
        with AepClient(AepConfig.local(), transport=sandbox.transport()) as aep:
            return {str(d["name"]): str(d["id"]) for d in aep.list_segment_definitions()}
    finally:
        sandbox.close()


def test_a_declared_move_keeps_the_live_id(workdir: Path, run: Run) -> None:
    assert run("apply", "--auto-approve", "--no-jobs")[0] == 0
    before = _ids(workdir)
    seg = workdir / "segments" / "female-customers.yaml"
    moved = "key: women\npreviousKeys: [female-customers]\n#"
    seg.write_text(seg.read_text().replace("key: female-customers ", moved)
                   .replace("name: All Female Customers", "name: Women"))
    for name in ("exports.yaml", "vip-women.yaml", "tests/profile-attributes.yaml"):
        path = workdir / "segments" / name
        path.write_text(path.read_text().replace("female-customers]", "women]")
                        .replace('"key:female-customers"', '"key:women"')
                        .replace("  female-customers:", "  women:"))
    code, out, err = run("plan", "--prune")
    assert code == 0, err
    assert "moved from key 'female-customers' (previousKeys), keeping its id" in out
    assert "0 to create" in out and "0 to delete" in out
    assert run("apply", "--auto-approve", "--no-jobs", "--prune")[0] == 0
    after = _ids(workdir)
    assert after["Women"] == before["All Female Customers"]  # the same live definition
    assert len(after) == len(before)
    # converged: the marker carries the new key (the jobs --no-jobs skipped are still pending)
    assert "Plan: 0 to create, 0 to update, 0 to replace, 0 to delete;" in run("plan")[1]

"""`segctl plan` lists audiences of other origins as not managed, and `apply --prune` leaves
them exactly as they were."""

from __future__ import annotations

import json
from pathlib import Path

from segctl.aep import AepClient, AepConfig
from segctl.sandbox import LocalSandbox

from .conftest import Run


def _foreign(workdir: Path) -> dict[str, dict[str, object]]:
    app = LocalSandbox(workdir / ".segctl", sample_profiles=20)
    try:
        with AepClient(AepConfig.local(), transport=app.transport()) as client:
            return {a["id"]: a for a in client.list_audiences()
                    if a["originName"] != "REAL_TIME_CUSTOMER_PROFILE"}
    finally:
        app.close()


def test_prune_never_touches_audiences_of_other_origins(workdir: Path, run: Run) -> None:
    before = _foreign(workdir)
    code, out, err = run("--no-color", "plan", "segments")
    assert code == 0, err
    line = next(x for x in out.splitlines() if x.startswith("Audiences of other origins"))
    assert all(f"{a['name']} ({a['originName']})" in line for a in before.values())
    code, out, err = run("plan", "segments", "--format", "json", "--prune")
    assert sorted(json.loads(out)["other_origins"]) == sorted(
        f"{a['name']} ({a['originName']})" for a in before.values())
    code, _, err = run("apply", "segments", "--prune", "--auto-approve", "--no-jobs")
    assert code == 0, err
    for path in (workdir / "segments").rglob("*.yaml"):
        path.unlink()
    (workdir / "segments" / "one.yaml").write_text(
        "kind: Segment\nkey: one\nname: One\npql: a = 1\n", encoding="utf-8")
    code, out, err = run("--no-color", "apply", "segments", "--prune", "--auto-approve",
                         "--no-jobs")
    assert code == 0, err
    assert "to delete" in out
    assert _foreign(workdir) == before

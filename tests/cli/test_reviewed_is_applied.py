"""A saved plan is applied exactly as reviewed: edited or truncated plans are refused with
exit 1 and nothing written; `segctl show` renders a saved plan without touching a sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from segctl.engine.planfile import checksum

from .conftest import Run


def _definitions(run: Run) -> str:
    return run("plan")[1]


def test_editing_the_pql_inside_a_saved_plan_is_refused(workdir: Path, run: Run) -> None:
    assert run("plan", "--out", "p.plan")[0] == 0
    doc = json.loads((workdir / "p.plan").read_text())
    change = next(c for c in doc["segment_changes"] if c["desired"])
    change["desired"]["pql"] = 'person.gender = "male"'
    (workdir / "p.plan").write_text(json.dumps(doc, indent=2))
    code, out, err = run("apply", "p.plan")
    assert code == 1 and out == ""
    assert "p.plan: error: the saved plan was edited, truncated or corrupted" in err
    assert "segctl plan --out FILE" in err
    assert "Plan: 13 to create" in run("plan")[1]  # nothing was written


def test_a_diff_that_disagrees_with_the_body_is_refused_even_with_a_fresh_checksum(
        workdir: Path, run: Run) -> None:
    """The checksum is not a signature; but the shown diff and the body apply sends are one
    record, so a hand-made plan whose diff says X while the body says Y is refused."""
    assert run("apply", "--auto-approve", "--no-jobs")[0] == 0
    path = workdir / "segments" / "canada-residents.yaml"
    text = path.read_text()
    assert '"Canada"' in text
    path.write_text(text.replace('"Canada"', '"Kanada"'))
    assert run("plan", "--out", "p.plan")[0] == 0
    doc = json.loads((workdir / "p.plan").read_text())
    change = next(c for c in doc["segment_changes"] if c["action"] == "update")
    assert [f["field"] for f in change["changes"]] == ["pql"]
    change["desired"]["pql"] = 'person.gender = "male"'  # the diff still shows "CA"
    doc["checksum"] = checksum(doc)
    (workdir / "p.plan").write_text(json.dumps(doc, indent=2))
    code, out, err = run("apply", "p.plan")
    assert (code, out) == (1, "")
    assert "the saved plan does not hold together: the diff shown for canada-residents.pql" in err
    assert 'person.gender = "male"' not in run("plan", "--format", "json")[1]


def test_a_plan_the_schema_refuses_exits_1_naming_the_place(workdir: Path, run: Run) -> None:
    assert run("plan", "--out", "p.plan")[0] == 0
    doc = json.loads((workdir / "p.plan").read_text())
    doc["segment_changes"][0]["action"] = "upsert"
    doc["checksum"] = checksum(doc)
    (workdir / "p.plan").write_text(json.dumps(doc, indent=2))
    for command in ("apply", "show"):
        code, out, err = run(command, "p.plan")
        assert (code, out) == (1, "")
        assert ("p.plan: error: not a segctl plan file: at segment_changes[0].action: "
                "'upsert' is not one of") in err
    assert "Plan: 13 to create" in run("plan")[1]  # nothing was written


@pytest.mark.parametrize("cut", [0.5, 0.95])
def test_a_truncated_plan_is_refused(workdir: Path, run: Run, cut: float) -> None:
    assert run("plan", "--out", "p.plan")[0] == 0
    text = (workdir / "p.plan").read_text()
    (workdir / "p.plan").write_text(text[: int(len(text) * cut)])
    code, _, err = run("apply", "p.plan")
    assert code == 1 and "p.plan" in err
    assert run("show", "p.plan")[0] == 1


def test_show_renders_the_saved_plan_in_every_format(workdir: Path, run: Run,
                                                      tmp_path: Path) -> None:
    assert run("plan", "--out", "p.plan")[0] == 0
    for fmt in ("text", "json", "markdown"):
        planned = run("plan", "--format", fmt)[1]
        code, shown, err = run("show", "p.plan", "--format", fmt)
        assert code == 0, err
        assert shown == planned
    # no sandbox is read or created: point the sandbox somewhere new, show still works
    elsewhere = tmp_path / "never"
    import os
    os.environ["SEGCTL_SANDBOX_DIR"] = str(elsewhere)
    try:
        assert run("show", "p.plan")[0] == 0
    finally:
        os.environ["SEGCTL_SANDBOX_DIR"] = str(workdir / ".segctl")
    assert not elsewhere.exists()


def test_show_refuses_an_edited_plan(workdir: Path, run: Run) -> None:
    assert run("plan", "--out", "p.plan")[0] == 0
    text = (workdir / "p.plan").read_text().replace("All Female Customers", "All Male Customers")
    (workdir / "p.plan").write_text(text)
    code, out, err = run("show", "p.plan")
    assert (code, out) == (1, "")
    assert "checksum does not match" in err

"""Stale saved plans: the refusal names the likely causes."""

from __future__ import annotations

from pathlib import Path

from .conftest import Run


def test_apply_of_a_plan_from_another_project_is_refused(workdir: Path, run: Run) -> None:
    assert run("plan", "--out", "p.plan")[0] == 0
    other = workdir / "segments" / "female-customers.yaml"
    other.write_text(other.read_text().replace("ttlInDays: 30", "ttlInDays: 31"))
    code, _, err = run("apply", "p.plan")
    assert code == 1
    assert "stale" in err and "or the plan comes from another project" in err


def test_applying_a_saved_plan_twice(workdir: Path, run: Run) -> None:
    assert run("plan", "--out", "p.plan")[0] == 0
    assert run("apply", "p.plan", "--no-jobs")[0] == 0
    code, out, err = run("apply", "p.plan")
    assert (code, out) == (1, "")
    assert "the saved plan is stale: the live sandbox changed since it was made (it may have " \
           "been applied already;" in err

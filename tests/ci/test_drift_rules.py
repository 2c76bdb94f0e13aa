"""Drift issue rules: 2 opens/reopens (commenting only on a new digest), 0 closes, 1 leaves
the issue alone; outside edits are the segments updated live after the last apply."""

from __future__ import annotations

import pytest

from segctl.ci.drift import DriftStep, decide, drift_body, edited_outside
from segctl.ci.marker import render_marker
from segctl.engine import Action, FieldChange, Plan, SegmentChange


def issue(state: str, digest: str) -> dict:
    return {"number": 5, "state": state, "body": render_marker({"key": "k", "digest": digest})}


@pytest.mark.parametrize(("code", "existing", "step"), [
    (2, None, DriftStep("create")),
    (2, issue("open", "d1"), DriftStep("update", comment=False)),
    (2, issue("open", "d0"), DriftStep("update", comment=True)),
    (2, issue("closed", "d1"), DriftStep("reopen", comment=True)),
    (0, issue("open", "d1"), DriftStep("close", comment=True)),
    (0, issue("closed", "d1"), DriftStep("none")),
    (0, None, DriftStep("none")),
    (1, issue("open", "d1"), DriftStep("none")),
    (1, None, DriftStep("none")),
])
def test_decide(code: int, existing: dict | None, step: DriftStep) -> None:
    assert decide(code, existing, "d1") == step


def test_outside_edits_are_named() -> None:
    changes = (
        SegmentChange(Action.UPDATE, "a", "A", id="1", fields=(FieldChange("description",
                                                                           "x", "y"),)),
        SegmentChange(Action.UPDATE, "b", "B", id="2", fields=(FieldChange("pql", "x", "y"),)),
        SegmentChange(Action.CREATE, "c", "C"),
    )
    plan = Plan(changes)
    outside = edited_outside(plan, {"1": 200.0, "2": 50.0}, last_apply=100.0)
    assert outside == {"a"}
    assert edited_outside(plan, {"1": 200.0}, last_apply=None) == frozenset()
    body = drift_body(plan, "k", "d", env="prod", outside=outside, run_url="")
    assert "**a** update (`description`) — **edited outside segctl**" in body
    assert "**b** update (`pql`)\n" in body

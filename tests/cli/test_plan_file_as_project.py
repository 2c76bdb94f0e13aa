"""A saved plan given to `plan` or `validate` (where a project folder goes) is named as such."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Run


@pytest.mark.parametrize("command", ["plan", "validate"])
def test_saved_plan_where_a_project_is_expected(workdir: Path, run: Run, command: str) -> None:
    assert run("plan", "--out", "p.plan")[0] == 0
    code, out, err = run(command, "p.plan")
    assert code == 1 and out == ""
    assert err.startswith("p.plan: error: this is a saved plan, not a project folder\n")
    assert "hint: apply it with `segctl apply p.plan`" in err
    assert "missing 'kind'" not in err

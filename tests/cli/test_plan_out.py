"""`segctl plan --out` into a place that cannot be written."""

from __future__ import annotations

from pathlib import Path

from .conftest import Run


def test_plan_out_into_a_missing_folder_is_a_clear_error(workdir: Path, run: Run) -> None:
    code, _, err = run("plan", "--out", "no/such/dir/p.plan")
    assert code == 1
    assert "error: cannot write the plan to no/such/dir/p.plan: No such file or directory" in err
    assert "internal error" not in err and "Traceback" not in err

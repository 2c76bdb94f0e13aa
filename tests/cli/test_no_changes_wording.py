"""A plan with no changes but jobs to run says why per export, not always 'run: always'."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Run


def test_jobs_without_changes_after_a_failed_job(workdir: Path, run: Run,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEGCTL_FAULTS", "job_fail=1.0,seed=1")
    assert run("apply", "--auto-approve")[0] == 1  # the segment job fails: no export ran
    monkeypatch.delenv("SEGCTL_FAULTS")
    code, out, _ = run("plan")
    assert code == 0
    assert out.startswith("No changes.")
    assert "Apply would still run the jobs and exports below (each export says why)." in out
    assert "female-customers-daily -> dataset 'Female customers' [female-customers] " \
           "(no successful export yet)" in out
    assert "retargeting -> dataset 'local-Retargeting audiences'" in out

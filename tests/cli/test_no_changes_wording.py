"""A plan with no changes but jobs to run says why per export and per segment."""

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
           "(segments awaiting evaluation: female-customers)" in out
    assert "Awaiting evaluation (from the sandbox's job history):\n" in out
    assert "  female-customers: never evaluated\n" in out  # the failed job evaluated nothing
    assert "On-demand evaluation ration: apply starts 1 on-demand segment job; 1 of 2 used " \
           "today, 1 of 50 used this year (production sandbox); 0 left today after apply." in out
    assert run("plan", "--detailed-exitcode")[0] == 2
    assert "retargeting -> dataset 'local-Retargeting audiences'" in out

"""Crash, short profile: ``segctl apply`` killed with SIGKILL while it polls a segment job, and
at a seeded random moment, then run again: it converges with no duplicates, evaluates nothing
twice and leaves nothing unevaluated."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.convergence.suites import crash_moments, crash_run


@pytest.mark.parametrize("moment", ["job polling", crash_moments(5, 1, 2.0)[0]])
def test_killed_apply_then_rerun_converges(moment: str | float, template: Path,
                                           tmp_path: Path) -> None:
    run = crash_run(moment, 24, tmp_path, template)
    verdict = run.verdict
    assert verdict.converged and verdict.live_owned == 24
    assert (verdict.duplicates, verdict.needless, verdict.awaiting) == (0, 0, 0)
    if moment == "job polling":
        assert run.killed  # the moment came: the apply was killed mid-way

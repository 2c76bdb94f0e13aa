"""Chaos, short profile: a real ``segctl apply`` against a real ``segctl sandbox serve`` that
throttles, fails and drops requests (#17's fault mix) succeeds the first time, converges with
no duplicates and leaves no segment awaiting evaluation."""

from __future__ import annotations

from pathlib import Path

from tests.convergence.suites import chaos_run


def test_first_apply_under_faults_succeeds_and_converges(template: Path, tmp_path: Path) -> None:
    run = chaos_run(3, 24, tmp_path, template, "retry_after=0")
    assert run.first_ok, run.first_error
    assert run.reruns == 0  # the first apply left nothing to do
    verdict = run.verdict
    assert verdict.converged and verdict.live_owned == 24
    assert (verdict.duplicates, verdict.awaiting, verdict.needless) == (0, 0, 0)

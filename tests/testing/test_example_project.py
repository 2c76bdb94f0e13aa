"""The example project ships a passing SegmentTest case for every example segment."""

from __future__ import annotations

from pathlib import Path

from segctl.project import load_project
from segctl.testing import run_tests, segment_tests

EXAMPLE = Path(__file__).resolve().parents[2] / "segments"


def test_every_example_segment_is_tested_and_passes() -> None:
    project = load_project(EXAMPLE)
    tested = {case.segment for test in segment_tests(project) for case in test.expectations}
    assert {s.key for s in project.segments} <= tested
    report = run_tests(project)
    failures = [(c.title, c.missing, c.unexpected, c.error) for c in report.cases if not c.passed]
    assert failures == []
    assert report.passed == len(report.cases) >= len(project.segments)

"""``segctl test``: unit tests for segments, run by the local PQL engine.

Public names: the ``SegmentTest`` document (:mod:`segctl.testing.model`), :func:`run_tests`
returning a :class:`TestReport` of :class:`CaseResult`, :func:`render` (pytest-like text), and
:func:`to_json` / :func:`to_junit` (the machine-readable reports).
"""

from segctl.testing.formats import TEST_FORMAT_VERSION, to_json, to_junit
from segctl.testing.model import Expectation, FixtureProfile, SegmentTest, segment_tests
from segctl.testing.report import render
from segctl.testing.runner import (
    CaseResult,
    SegmentEngine,
    TestReport,
    TestsFailed,
    run_tests,
)

__all__ = [
    "TEST_FORMAT_VERSION",
    "CaseResult",
    "Expectation",
    "FixtureProfile",
    "SegmentEngine",
    "SegmentTest",
    "TestReport",
    "TestsFailed",
    "render",
    "run_tests",
    "segment_tests",
    "to_json",
    "to_junit",
]

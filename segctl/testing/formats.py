"""Machine-readable test reports: ``segctl test --format json`` (``format_version`` 1, in
segctl/render/REPORT_FORMATS.md) and ``--format junit``, the JUnit XML that CI systems render
(``testsuites`` > ``testsuite`` per SegmentTest document > ``testcase`` per segment, with a
``failure`` for a wrong membership and an ``error`` for a case that could not run)."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

from segctl.testing.report import side_by_side
from segctl.testing.runner import CaseResult, TestReport

#: the version of the ``test --format json`` document
TEST_FORMAT_VERSION = 1


def _case_document(case: CaseResult) -> dict[str, Any]:
    loc = case.location
    return {
        "test": case.test,
        "segment": case.segment,
        "passed": case.passed,
        "file": loc.file, "line": loc.line, "col": loc.col,
        "expected_members": None if case.expected_members is None
        else list(case.expected_members),
        "expected_non_members": list(case.expected_non_members),
        "actual_members": list(case.actual_members),
        "missing": list(case.missing),
        "unexpected": list(case.unexpected),
        "error": case.error,
    }


def to_json(report: TestReport, seconds: float | None = None) -> str:
    doc = {
        "format_version": TEST_FORMAT_VERSION,
        "ok": report.ok,
        "summary": {"passed": report.passed, "failed": report.failed,
                    "total": len(report.cases)},
        "seconds": None if seconds is None else round(seconds, 3),
        "cases": [_case_document(c) for c in report.cases],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _failure_message(case: CaseResult) -> str:
    parts = []
    if case.missing:
        parts.append(f"missing: {', '.join(case.missing)}")
    if case.unexpected:
        parts.append(f"unexpected: {', '.join(case.unexpected)}")
    return "; ".join(parts) or "membership differs from the expectation"


def to_junit(report: TestReport, seconds: float | None = None) -> str:
    """JUnit XML: one ``testsuite`` per SegmentTest (in the order first seen), one
    ``testcase`` per segment it checks (``classname`` = test name, ``name`` = segment key)."""
    suites: dict[str, list[CaseResult]] = {}
    for case in report.cases:
        suites.setdefault(case.test, []).append(case)
    root = ET.Element("testsuites", name="segctl test", tests=str(len(report.cases)),
                      failures=str(sum(1 for c in report.cases
                                       if not c.passed and c.error is None)),
                      errors=str(sum(1 for c in report.cases if c.error is not None)))
    if seconds is not None:
        root.set("time", f"{seconds:.3f}")
    for name, cases in suites.items():
        failed = [c for c in cases if not c.passed]
        suite = ET.SubElement(root, "testsuite", name=name, tests=str(len(cases)),
                              failures=str(sum(1 for c in failed if c.error is None)),
                              errors=str(sum(1 for c in failed if c.error is not None)),
                              skipped="0")
        if cases[0].location.file:
            suite.set("file", cases[0].location.file)
        for case in cases:
            element = ET.SubElement(suite, "testcase", classname=name, name=case.segment)
            if case.location.file:
                element.set("file", case.location.file)
            if case.location.line is not None:
                element.set("line", str(case.location.line))
            if case.error is not None:
                ET.SubElement(element, "error", message=case.error,
                              type="SegmentEvalError").text = f"{case.location}: {case.error}"
            elif not case.passed:
                failure = ET.SubElement(element, "failure", message=_failure_message(case),
                                        type="MembershipMismatch")
                failure.text = "\n".join([str(case.location), *side_by_side(case)])
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") \
        + "\n"

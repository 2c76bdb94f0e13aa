"""pytest-like text for a :class:`~segctl.testing.runner.TestReport`."""

from __future__ import annotations

from collections.abc import Callable

import click

from segctl.testing.runner import CaseResult, TestReport

Style = Callable[[str, str], str]


def _styler(color: bool) -> Style:
    def style(text: str, fg: str) -> str:
        return click.style(text, fg=fg, bold=True) if color else text

    return style


def case_line(case: CaseResult, style: Style) -> str:
    verdict = style("PASS", "green") if case.passed else style("FAIL", "red")
    return f"{verdict} {case.location.file or '<input>'}::{case.title}"


def side_by_side(case: CaseResult) -> list[str]:
    """Expected and actual members in two columns, one fixture profile per row."""
    expected = case.expected_members
    actual = set(case.actual_members)
    banned = set(case.expected_non_members)
    if expected is None:
        qualified = [p for p in case.actual_members if p in banned]
        return [f"nonMembers that qualified: {', '.join(qualified)}"]
    rows = [p for p in case.profiles if p in actual or p in expected]
    left_title, right_title = "expected members", "actual members"
    width = max([len(left_title), *(len(p) for p in rows)]) + 2
    lines = [f"{left_title:<{width}}{right_title}"]
    if not rows:
        lines.append(f"{'(none)':<{width}}(none)")
    for ident in rows:
        left = ident if ident in expected else "-"
        right = ident if ident in actual else "-"
        note = ""
        if left != "-" and right == "-":
            note = "missing"
        elif right != "-" and (left == "-" or ident in banned):
            note = "unexpected (listed in nonMembers)" if ident in banned else "unexpected"
        lines.append(f"{left:<{width}}{right:<{width}}{note}".rstrip())
    return lines


def failure_block(case: CaseResult, style: Style) -> list[str]:
    head = style(f"___ {case.title} ___", "red")
    lines = [head, f"{case.location}"]
    if case.error is not None:
        lines.append(f"    error: {case.error}")
    else:
        lines.extend(f"    {line}" for line in side_by_side(case))
    return lines


def summary(report: TestReport) -> str:
    return f"{report.passed} passed, {report.failed} failed"


def render(report: TestReport, *, color: bool = False) -> str:
    """Every case on one line, then a block per failure, then the summary line."""
    style = _styler(color)
    lines = [case_line(case, style) for case in report.cases]
    failures = [case for case in report.cases if not case.passed]
    if failures:
        lines.append("")
        lines.append("=" * 20 + " failures " + "=" * 20)
        for case in failures:
            lines.extend(failure_block(case, style))
            lines.append("")
    tail = summary(report)
    lines.append(style(f"==== {tail} ====", "red" if failures else "green"))
    return "\n".join(lines) + "\n"

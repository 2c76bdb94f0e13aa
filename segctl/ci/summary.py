"""``plan --summary FILE`` and ``apply --summary FILE``: the plan (and apply report) as
markdown appended to a job summary, within GitHub's 1 MiB."""

from __future__ import annotations

from pathlib import Path

from segctl.ci.comment import SUMMARY_BUDGET, Header, plan_comment, report_markdown
from segctl.ci.outputs import append_summary
from segctl.engine import ApplyReport, Plan


def _header(plan: Plan, command: str, path: str) -> Header:
    return Header(command=command, env=plan.target.environment or "local", path=path)


def write_summary(path: Path, plan: Plan, *, command: str, project: str,
                  report: ApplyReport | None = None) -> None:
    """Append the plan, and the apply report when given, to ``path``."""
    text = plan_comment(plan, _header(plan, command, project), None, budget=SUMMARY_BUDGET)
    if report is not None:
        text += "\n" + report_markdown(report)
    append_summary(path, text + "\n")

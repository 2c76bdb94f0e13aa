"""segctl.ci: reviewed in pull requests, applied from CI (``segctl ci``).

Public names: :func:`read_context` / :class:`CiContext` (the ``GITHUB_*`` environment and event),
:class:`GitHub` (REST over httpx with segctl's retry policy) and :class:`DryRun`, the sessions
:func:`open_session`, :func:`run_plan`, :func:`run_apply`, :func:`run_drift` with
:class:`CiOptions`, the pure pieces (:func:`plan_comment`, :func:`plan_digest`,
:func:`change_records`, :func:`judge`, drift's :func:`decide`), the marker
(:func:`render_marker`, :func:`read_marker`), :func:`write_summary` and the workflow templates
(:class:`InitOptions`, :func:`render_workflows`, :func:`write_workflows`).
"""

from segctl.ci.comment import COMMENT_BUDGET, SUMMARY_BUDGET, Header, plan_comment
from segctl.ci.context import CiContext, read_context
from segctl.ci.digest import change_hashes, change_records, plan_digest
from segctl.ci.drift import decide
from segctl.ci.gate import Reviewed, judge
from segctl.ci.github import DryRun, GitHub, GitHubError
from segctl.ci.marker import read_marker, render_marker
from segctl.ci.run import run_apply, run_plan
from segctl.ci.session import CiOptions, open_session
from segctl.ci.summary import write_summary
from segctl.ci.tracking import run_drift
from segctl.ci.workflows import InitOptions, render_workflows, write_workflows

__all__ = [
    "COMMENT_BUDGET",
    "SUMMARY_BUDGET",
    "CiContext",
    "CiOptions",
    "DryRun",
    "GitHub",
    "GitHubError",
    "Header",
    "InitOptions",
    "Reviewed",
    "change_hashes",
    "change_records",
    "decide",
    "judge",
    "open_session",
    "plan_comment",
    "plan_digest",
    "read_context",
    "read_marker",
    "render_marker",
    "render_workflows",
    "run_apply",
    "run_drift",
    "run_plan",
    "write_summary",
    "write_workflows",
]

"""``segctl ci drift``: the nightly comparison and the one drift issue per environment (the
decisions are drift.py's; this is their I/O)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from segctl.ci.comment import SUMMARY_BUDGET, plan_comment
from segctl.ci.digest import plan_digest
from segctl.ci.drift import LABEL, decide, drift_body, drift_key, drift_title, edited_outside
from segctl.ci.github import GitHubError
from segctl.ci.marker import is_ours
from segctl.ci.outputs import append_summary
from segctl.ci.session import (
    CiOptions,
    Session,
    env_name,
    finish,
    header_for,
    verdict_outputs,
    write_step_outputs,
)
from segctl.engine import Plan, build_plan
from segctl.errors import EXIT_CHANGES, EXIT_OK
from segctl.project import load_project
from segctl.render.escape import md
from segctl.target import open_client


def run_drift(s: Session, opts: CiOptions) -> int:
    project = load_project(opts.path, env=opts.env)
    env = env_name(opts, project)
    with open_client(project.environment, project_root=project.root,
                     read_only=True) as client:  # drift only reads
        plan = build_plan(project, client, prune=opts.prune)
        updates = {str(d.get("id")): float(d.get("updateTime") or 0) / 1000.0
                   for d in client.list_segment_definitions()}
    s.mask_secrets()
    digest = plan_digest(plan)
    # Drift is the sandbox's definitions or datasets differing from the files
    # (``has_changes``), not ``has_work``: segment jobs, exports and marker stamps pending on
    # an otherwise matching sandbox are not drift (exports run on every apply, so counting
    # them would keep the drift issue open for ever). ``plan`` and ``apply`` use ``has_work``.
    exit_code = EXIT_CHANGES if plan.has_changes else EXIT_OK
    outside = edited_outside(plan, updates, _last_apply(s, opts, env))
    s.outputs.update(verdict_outputs(plan, exit_code, digest))
    append_summary(s.ctx.step_summary,
                   plan_comment(plan, header_for(s, opts, env, "drift", ""), None,
                                budget=SUMMARY_BUDGET))
    body = sync_drift_issue(s, opts, plan, env, digest, exit_code, outside)
    write_step_outputs(s, opts)
    finish(s, body)
    if opts.fail_on == "changes" and plan.has_changes:
        return EXIT_CHANGES
    return EXIT_OK


def _last_apply(s: Session, opts: CiOptions, env: str) -> float | None:
    workflow = opts.apply_workflow or f"segctl-apply-{env}.yml"
    try:
        runs = s.gh.successful_runs(workflow, s.ctx.branch or "main")
    except GitHubError as err:
        s.warn(f"cannot read the runs of {workflow} ({err.status}): outside edits are not "
               "told apart")
        return None
    for run in runs:
        stamp = run.get("updated_at")
        if isinstance(stamp, str):
            return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    return None


def sync_drift_issue(s: Session, opts: CiOptions, plan: Plan, env: str, digest: str,
                      exit_code: int, outside: frozenset[str], *, note: str = "") -> str:
    key = drift_key(env, opts.path.as_posix())
    issue = next((i for i in s.gh.issues(LABEL)
                  if "pull_request" not in i and is_ours(i, key, s.ctx.bot_login)), None)
    step = decide(exit_code, issue, digest)
    body = drift_body(plan, key, digest, env=env, outside=outside, run_url=s.ctx.run_url)
    if note:
        body += f"\n{md(note)}\n"
    run = f"run {s.ctx.run_number or s.ctx.run_id}".strip()
    number = int(issue["number"]) if issue else None
    if step.action == "create":
        made = s.gh.create_issue(drift_title(env, opts.path.as_posix()), body, [LABEL])
        number = int(made.get("number") or 0)
    elif step.action in ("reopen", "update"):
        assert number is not None
        fields: dict[str, Any] = {"body": body}
        if step.action == "reopen":
            fields["state"] = "open"
        s.gh.update_issue(number, **fields)
        if step.comment:
            s.gh.create_comment(number, f"The drift changed ({run}): "
                                        f"{md(plan.summary())}")
    elif step.action == "close":
        assert number is not None
        s.gh.create_comment(number, f"Resolved in {run}: the sandbox matches the files.")
        s.gh.update_issue(number, state="closed", state_reason="completed")
    if number:
        s.outputs["issue-number"] = str(number)
    return body


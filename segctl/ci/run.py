"""``segctl ci plan|apply|drift``: the I/O edge that ties the project, the sandbox, GitHub and
the step's files together. Everything it decides is delegated to the pure modules beside it."""

from __future__ import annotations

from typing import Any

from segctl.aep import AepClient
from segctl.ci.comment import (
    COMMENT_BUDGET,
    SUMMARY_BUDGET,
    Header,
    applied_line,
    plan_comment,
    report_markdown,
)
from segctl.ci.digest import change_hashes, change_records, plan_digest, record_hash
from segctl.ci.gate import Reviewed, Verdict, judge, merged_prs, reviewed_changes
from segctl.ci.github import GitHubError
from segctl.ci.outputs import append_summary, command
from segctl.ci.saved import artifact_name, download_plan, merged_head
from segctl.ci.session import (
    CiOptions,
    Session,
    comment_key,
    env_name,
    finish,
    header_for,
    save_plan_file,
    verdict_outputs,
    write_step_outputs,
)
from segctl.ci.sticky import Posted, set_label, upsert, verdict_label
from segctl.ci.tracking import sync_drift_issue
from segctl.engine import (
    ApplyOptions,
    ApplyReport,
    Plan,
    apply_plan,
    build_plan,
    check_saved_plan,
    estimate_plan,
    load_plan,
)
from segctl.errors import EXIT_CHANGES, EXIT_OK, SegctlError
from segctl.project import Project, load_project
from segctl.render.escape import code, md
from segctl.target import open_client


class ApplyNotReviewedError(SegctlError):
    """Apply refused: the plan at HEAD has changes no reviewed plan covers. Nothing written."""


class CiApplyFailedError(SegctlError):
    """Apply ran and some actions failed; the report is in the summary and the log."""


# -- plan --------------------------------------------------------------------------------------

def run_plan(s: Session, opts: CiOptions, *, progress: Any = None) -> int:
    project = load_project(opts.path, env=opts.env)
    with open_client(project.environment, project_root=project.root) as client:
        plan = build_plan(project, client, prune=opts.prune)
        if opts.estimate:
            plan = estimate_plan(plan, client, timeout=opts.estimate_timeout, progress=progress)
    s.mask_secrets()
    env = env_name(opts, project)
    digest = plan_digest(plan)
    plan_file, artifact = save_plan_file(plan, opts, env, s.ctx.head_sha)
    exit_code = EXIT_CHANGES if plan.has_work else EXIT_OK  # as `plan --detailed-exitcode`
    header = header_for(s, opts, env, "plan", artifact)
    key = comment_key(opts, env)
    marker = {"key": key, "sha": s.ctx.head_sha, "digest": digest,
              "changes": change_hashes(plan), "artifact": artifact}
    body = plan_comment(plan, header, marker, budget=COMMENT_BUDGET)
    full = plan_comment(plan, header, None, budget=SUMMARY_BUDGET)
    markdown_file = plan_file.with_suffix(".md")
    markdown_file.write_text(full, encoding="utf-8")
    append_summary(s.ctx.step_summary, full)
    s.outputs.update(verdict_outputs(plan, exit_code, digest))
    s.outputs.update({"plan-file": str(plan_file), "plan-markdown": str(markdown_file),
                      "artifact": artifact})
    posted = _post_plan(s, opts, plan, body, key)
    s.outputs["comment-url"] = posted.url
    write_step_outputs(s, opts)
    finish(s, body)
    if opts.fail_on == "changes" and plan.has_work:
        return EXIT_CHANGES
    return EXIT_OK


def _post_plan(s: Session, opts: CiOptions, plan: Plan, body: str, key: str) -> Posted:
    number = s.ctx.pr_number
    if s.ctx.event_name == "merge_group":
        return Posted("skipped")  # the merge queue plans the merge result, uncommented
    if number is None:
        s.notice("not a pull request event: the plan goes to the job summary only")
        return Posted("skipped")
    if s.ctx.fork and not s.ctx.token and s.dry_run is None:
        s.warn("this pull request comes from a fork and its token cannot comment: "
               "the plan is in the job summary")
        return Posted("skipped")
    try:
        head = s.gh.pull(number).get("head")
        current = head.get("sha") if isinstance(head, dict) else None
        if current and s.ctx.head_sha and current != s.ctx.head_sha:
            s.notice(f"the pull request's head is now {current[:7]}, not "
                     f"{s.ctx.head_sha[:7]}: this older plan does not replace its comment")
            return Posted("stale")
        posted = upsert(s.gh, number, body, key=key, bot=s.ctx.bot_login, mode=opts.comment,
                        has_changes=plan.has_work)
        if opts.labels:
            destroys = s.outputs.get("has-destroy") == "true"
            set_label(s.gh, number, verdict_label(plan.has_work, destroys))
        return posted
    except GitHubError as err:
        if err.forbidden:
            s.warn(f"cannot comment on #{number} ({err.status}: the token has no write "
                   "access, as on a fork's pull request): the plan is in the job summary")
            return Posted("skipped")
        raise


# -- apply -------------------------------------------------------------------------------------

def run_apply(s: Session, opts: CiOptions, *, progress: Any = None) -> int:
    project = load_project(opts.path, env=opts.env)
    env = env_name(opts, project)
    with open_client(project.environment, project_root=project.root) as client:
        if opts.approval == "saved":
            plan = _saved_plan(s, opts, project, client, env)
        else:
            plan = build_plan(project, client, prune=opts.prune)
        s.mask_secrets()
        digest = plan_digest(plan)
        plan_file, artifact = save_plan_file(plan, opts, env, s.ctx.sha)
        s.outputs.update(verdict_outputs(plan, EXIT_CHANGES if plan.has_work else EXIT_OK,
                                          digest))
        s.outputs.update({"plan-file": str(plan_file), "applied": "false"})
        header = header_for(s, opts, env, "apply", artifact)
        reviewed = Reviewed(frozenset())
        if opts.approval == "reviewed":
            reviewed = _reviewed(s, opts, env)
            pairs = [(r, record_hash(r)) for r in change_records(plan)]
            verdict = judge(pairs, reviewed, digest=digest,
                            approve_digest=s.ctx.dispatch_input("approve-digest"))
            if not verdict.ok:
                _refuse(s, opts, plan, header, env, reviewed, verdict, digest)
        full = plan_comment(plan, header, None, budget=SUMMARY_BUDGET)
        if s.dry_run is not None:  # outside Actions or --dry-run: nothing is written to AEP
            write_step_outputs(s, opts)
            finish(s, full + f"\nDry run: apply would now write this plan to {env}.")
            return EXIT_OK
        report = apply_plan(plan, client, ApplyOptions(), progress)
    report_md = report_markdown(report)
    append_summary(s.ctx.step_summary, full + "\n" + report_md)
    s.outputs["applied"] = str(report.ok).lower()
    _mark_applied(s, reviewed, report)
    if not report.ok:
        _open_drift_for_failure(s, opts, plan, env, digest)
    write_step_outputs(s, opts)
    finish(s, report_md)
    if not report.ok:
        raise CiApplyFailedError(report.summary(),
                                 hint="the report is in the job summary; a rerun converges")
    return EXIT_OK


def _saved_plan(s: Session, opts: CiOptions, project: Project, client: AepClient,
                env: str) -> Plan:
    """The merged pull request's uploaded plan, refused (StalePlanError) when the files or the
    live sandbox changed since it was made."""
    number, head = merged_head(s.gh, s.ctx.sha)
    path = download_plan(s.gh, artifact_name(env, head), opts.out_dir)
    saved = check_saved_plan(load_plan(path), project, client)
    s.notice(f"applying the plan reviewed on #{number} (artifact of {head[:7]})")
    return saved


def _reviewed(s: Session, opts: CiOptions, env: str) -> Reviewed:
    prs = merged_prs(s.gh, s.ctx.sha, workflow=s.ctx.workflow_file, branch=s.ctx.branch)
    reviewed = reviewed_changes(s.gh, prs, key=comment_key(opts, env), bot=s.ctx.bot_login)
    for number in reviewed.unplanned:
        s.warn(f"pull request #{number} was merged without a segctl plan comment")
    return reviewed


def _refuse(s: Session, opts: CiOptions, plan: Plan, header: Header, env: str,
            reviewed: Reviewed, verdict: Verdict, digest: str) -> None:
    rows = [f"- {code(str(r['action']))} **{md(str(r['key']))}**"
            for r in verdict.uncovered[:50]]
    refusal = "\n".join([
        "> [!CAUTION]",
        f"> **Apply refused, nothing was written:** {md(verdict.reason)}.",
        "", *rows, "",
        "Review the plan below. To apply it as it is, run the apply workflow by hand with "
        f"`approve-digest` set to `{digest}`."])
    key = comment_key(opts, env, "apply")
    marker = {"key": key, "sha": s.ctx.sha, "digest": digest}
    body = plan_comment(plan, header, marker, extra=[refusal])
    append_summary(s.ctx.step_summary, plan_comment(plan, header, None, budget=SUMMARY_BUDGET,
                                                    extra=[refusal]))
    targets = reviewed.prs or tuple(reviewed.unplanned)
    for number in targets[:1]:
        try:
            posted = upsert(s.gh, number, body, key=key, bot=s.ctx.bot_login)
            s.outputs["comment-url"] = posted.url
        except GitHubError as err:
            if not err.forbidden:
                raise
            s.warn(f"cannot comment on #{number}: {err.status}")
    s.echo(command("error", verdict.reason, title="segctl apply refused")
           if s.ctx.in_actions else f"error: apply refused: {verdict.reason}")
    write_step_outputs(s, opts)
    finish(s, body)
    raise ApplyNotReviewedError(
        f"apply refused: {verdict.reason}; nothing was written",
        hint=f"approve it with the workflow_dispatch input approve-digest={digest}")


def _mark_applied(s: Session, reviewed: Reviewed, report: ApplyReport) -> None:
    line = applied_line(report, s.ctx.run_number or s.ctx.run_id, s.ctx.run_url)
    for _number, comment_id in reviewed.comments:
        try:
            body = _current_body(s, _number, comment_id)
            # the earlier verdict line goes with the blank line before it, so reruns do not
            # pile up empty lines
            kept = "\n".join(x for x in body.rstrip("\n").split("\n")
                             if not x.startswith(("**Applied in ", "**Apply failed in ")))
            kept = kept.rstrip("\n")
            s.gh.update_comment(comment_id, f"{kept}\n\n{line}\n")
        except GitHubError as err:
            s.warn(f"could not mark the plan comment on #{_number} as applied: {err}")


def _current_body(s: Session, number: int, comment_id: int) -> str:
    for comment in s.gh.comments(number):
        if comment.get("id") == comment_id:
            return str(comment.get("body") or "")
    return ""


def _open_drift_for_failure(s: Session, opts: CiOptions, plan: Plan, env: str,
                            digest: str) -> None:
    try:
        sync_drift_issue(s, opts, plan, env, digest, EXIT_CHANGES, frozenset(),
                          note=f"Apply failed in run {s.ctx.run_number or s.ctx.run_id}.")
    except GitHubError as err:
        s.warn(f"could not open the drift issue: {err}")


"""``segctl ci plan|apply|drift``: the I/O edge that ties the project, the sandbox, GitHub and
the step's files together. Everything it decides is delegated to the pure modules beside it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from segctl.aep import AepClient
from segctl.aep.redact import KNOWN_SECRETS
from segctl.ci.comment import (
    COMMENT_BUDGET,
    SUMMARY_BUDGET,
    Header,
    applied_line,
    plan_comment,
    report_markdown,
)
from segctl.ci.context import CiContext
from segctl.ci.digest import change_hashes, change_records, plan_digest, record_hash
from segctl.ci.drift import LABEL, decide, drift_body, drift_key, drift_title, edited_outside
from segctl.ci.escape import user_html, user_text
from segctl.ci.gate import Reviewed, Verdict, judge, merged_prs, reviewed_changes
from segctl.ci.github import DryRun, GitHub, GitHubError
from segctl.ci.marker import is_ours
from segctl.ci.outputs import append_summary, command, write_outputs
from segctl.ci.saved import artifact_name, download_plan, merged_head
from segctl.ci.sticky import Posted, set_label, upsert, verdict_label
from segctl.engine import (
    ESTIMATE_TIMEOUT,
    Action,
    ApplyOptions,
    ApplyReport,
    Plan,
    apply_plan,
    build_plan,
    check_fresh,
    estimate_plan,
    load_plan,
    read_live_state,
    save_plan,
)
from segctl.engine.plan import target_of
from segctl.errors import EXIT_CHANGES, EXIT_OK, SegctlError
from segctl.project import Project, load_project
from segctl.target import open_client

Echo = Callable[[str], None]


class ApplyNotReviewedError(SegctlError):
    """Apply refused: the plan at HEAD has changes no reviewed plan covers. Nothing written."""


class CiApplyFailedError(SegctlError):
    """Apply ran and some actions failed; the report is in the summary and the log."""


@dataclass(frozen=True)
class CiOptions:
    path: Path = Path("segments")
    env: str | None = None
    comment: str = "always"  # always | on-change | never
    comment_key: str = ""
    labels: bool = True
    approval: str = "reviewed"  # reviewed | saved | auto
    prune: bool = False
    fail_on: str = "error"  # error | changes
    out_dir: Path = Path(".segctl-ci")
    estimate: bool = False  # plan: ask AEP's estimate for each new or changed segment
    estimate_timeout: float = ESTIMATE_TIMEOUT
    apply_workflow: str = ""  # drift: the apply workflow's file, for "edited outside segctl"


@dataclass
class Session:
    """One ``segctl ci`` run: the context, the GitHub client (real or dry-run), and what it
    reports on stdout (workflow commands) and in the outputs."""

    ctx: CiContext
    gh: GitHub
    echo: Echo
    dry_run: DryRun | None = None
    outputs: dict[str, str] = field(default_factory=dict)
    masked: set[str] = field(default_factory=set)

    def mask_secrets(self) -> None:
        """``::add-mask::`` every AEP secret and bearer token the client holds so far, so the
        runner hides them from the rest of the job's log (segctl itself never prints one).
        The GitHub token is left out: the runner masks its own token already."""
        if not self.ctx.in_actions or self.dry_run is not None:
            return
        self.masked.add(self.ctx.token.reveal())
        for value in sorted(set(KNOWN_SECRETS.values()) - self.masked):
            if len(value) >= 8:
                self.echo(f"::add-mask::{value}")
            self.masked.add(value)

    def warn(self, message: str) -> None:
        self.echo(command("warning", message) if self.ctx.in_actions else f"warning: {message}")

    def notice(self, message: str) -> None:
        self.echo(command("notice", message) if self.ctx.in_actions else message)


def open_session(ctx: CiContext, *, dry_run: bool, echo: Echo,
                 transport: Any = None) -> Session:
    """A real client inside Actions; outside, or with ``dry_run``, one that sends nothing."""
    if dry_run or not ctx.in_actions:
        recorder = DryRun()
        gh = GitHub(ctx.api_url, ctx.repository or "OWNER/REPO", None,
                    transport=recorder.transport())
        return Session(ctx, gh, echo, recorder)
    return Session(ctx, GitHub(ctx.api_url, ctx.repository, ctx.token, transport=transport),
                   echo)


# -- shared pieces -----------------------------------------------------------------------------

def _env_name(opts: CiOptions, project: Project) -> str:
    return project.environment.name if project.environment else (opts.env or "local")


def _key(opts: CiOptions, env: str, command_name: str = "plan") -> str:
    base = opts.comment_key or f"{env}:{opts.path.as_posix()}"
    return f"{command_name}:{base}"


def _header(s: Session, opts: CiOptions, env: str, command_name: str, artifact: str) -> Header:
    return Header(command=command_name, env=env, path=opts.path.as_posix(),
                  head_sha=s.ctx.head_sha, base_sha=s.ctx.base_sha, run_url=s.ctx.run_url,
                  run_number=s.ctx.run_number, artifact=artifact)


def _save(plan: Plan, opts: CiOptions, env: str, sha: str) -> tuple[Path, str]:
    opts.out_dir.mkdir(parents=True, exist_ok=True)
    path = (opts.out_dir / f"plan-{env}.json").resolve()
    save_plan(plan, path)
    return path, artifact_name(env, sha)


def _verdict_outputs(plan: Plan, exit_code: int, digest: str) -> dict[str, str]:
    destroys = any(c.action in (Action.DELETE, Action.REPLACE) for c in plan.actionable) or \
        plan.datasets_to_delete > 0
    return {"exitcode": str(exit_code), "has-changes": str(plan.has_changes).lower(),
            "has-destroy": str(destroys).lower(), "summary": plan.summary(), "digest": digest}


def _finish(s: Session, body: str) -> None:
    """Outside Actions (or with --dry-run): print the body and the calls that were not made."""
    if s.dry_run is None:
        return
    s.echo(body.rstrip("\n"))
    s.echo("")
    s.echo("GitHub API calls this run would make:" if s.dry_run.calls
           else "GitHub API calls this run would make: none")
    for call in s.dry_run.calls:
        s.echo(f"  {call}")


def _write(s: Session, opts: CiOptions) -> None:
    write_outputs(s.ctx.output, s.outputs)


# -- plan --------------------------------------------------------------------------------------

def run_plan(s: Session, opts: CiOptions, *, progress: Any = None) -> int:
    project = load_project(opts.path, env=opts.env)
    with open_client(project.environment) as client:
        plan = build_plan(project, client, prune=opts.prune)
        if opts.estimate:
            plan = estimate_plan(plan, client, timeout=opts.estimate_timeout, progress=progress)
    s.mask_secrets()
    env = _env_name(opts, project)
    digest = plan_digest(plan)
    plan_file, artifact = _save(plan, opts, env, s.ctx.head_sha)
    exit_code = EXIT_CHANGES if plan.has_changes else EXIT_OK
    header = _header(s, opts, env, "plan", artifact)
    key = _key(opts, env)
    marker = {"key": key, "sha": s.ctx.head_sha, "digest": digest,
              "changes": change_hashes(plan), "artifact": artifact}
    body = plan_comment(plan, header, marker, budget=COMMENT_BUDGET)
    full = plan_comment(plan, header, None, budget=SUMMARY_BUDGET)
    markdown_file = plan_file.with_suffix(".md")
    markdown_file.write_text(full, encoding="utf-8")
    append_summary(s.ctx.step_summary, full)
    s.outputs.update(_verdict_outputs(plan, exit_code, digest))
    s.outputs.update({"plan-file": str(plan_file), "plan-markdown": str(markdown_file),
                      "artifact": artifact})
    posted = _post_plan(s, opts, plan, body, key)
    s.outputs["comment-url"] = posted.url
    _write(s, opts)
    _finish(s, body)
    if opts.fail_on == "changes" and plan.has_changes:
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
                        has_changes=plan.has_changes)
        if opts.labels:
            destroys = s.outputs.get("has-destroy") == "true"
            set_label(s.gh, number, verdict_label(plan.has_changes, destroys))
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
    env = _env_name(opts, project)
    with open_client(project.environment) as client:
        if opts.approval == "saved":
            plan = _saved_plan(s, opts, project, client, env)
        else:
            plan = build_plan(project, client, prune=opts.prune)
        s.mask_secrets()
        digest = plan_digest(plan)
        plan_file, artifact = _save(plan, opts, env, s.ctx.sha)
        s.outputs.update(_verdict_outputs(plan, EXIT_CHANGES if plan.has_changes else EXIT_OK,
                                          digest))
        s.outputs.update({"plan-file": str(plan_file), "applied": "false"})
        header = _header(s, opts, env, "apply", artifact)
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
            _write(s, opts)
            _finish(s, full + f"\nDry run: apply would now write this plan to {env}.")
            return EXIT_OK
        report = apply_plan(plan, client, ApplyOptions(), progress)
    report_md = report_markdown(report)
    append_summary(s.ctx.step_summary, full + "\n" + report_md)
    s.outputs["applied"] = str(report.ok).lower()
    _mark_applied(s, reviewed, report)
    if not report.ok:
        _open_drift_for_failure(s, opts, plan, env, digest)
    _write(s, opts)
    _finish(s, report_md)
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
    saved = load_plan(path)
    state = read_live_state(client, [e.dataset for e in project.exports], owned=saved.prune)
    check_fresh(saved, project.files_hash, state.fingerprint(), target_of(project, client))
    s.notice(f"applying the plan reviewed on #{number} (artifact of {head[:7]})")
    return saved


def _reviewed(s: Session, opts: CiOptions, env: str) -> Reviewed:
    prs = merged_prs(s.gh, s.ctx.sha, workflow=s.ctx.workflow_file, branch=s.ctx.branch)
    reviewed = reviewed_changes(s.gh, prs, key=_key(opts, env), bot=s.ctx.bot_login)
    for number in reviewed.unplanned:
        s.warn(f"pull request #{number} was merged without a segctl plan comment")
    return reviewed


def _refuse(s: Session, opts: CiOptions, plan: Plan, header: Header, env: str,
            reviewed: Reviewed, verdict: Verdict, digest: str) -> None:
    rows = [f"- `{user_html(str(r['action']))}` **{user_text(str(r['key']))}**"
            for r in verdict.uncovered[:50]]
    refusal = "\n".join([
        "> [!CAUTION]",
        f"> **Apply refused, nothing was written:** {user_text(verdict.reason)}.",
        "", *rows, "",
        "Review the plan below. To apply it as it is, run the apply workflow by hand with "
        f"`approve-digest` set to `{digest}`."])
    key = _key(opts, env, "apply")
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
    _write(s, opts)
    _finish(s, body)
    raise ApplyNotReviewedError(
        f"apply refused: {verdict.reason}; nothing was written",
        hint=f"approve it with the workflow_dispatch input approve-digest={digest}")


def _mark_applied(s: Session, reviewed: Reviewed, report: ApplyReport) -> None:
    line = applied_line(report, s.ctx.run_number or s.ctx.run_id, s.ctx.run_url)
    for _number, comment_id in reviewed.comments:
        try:
            body = _current_body(s, _number, comment_id)
            kept = "\n".join(x for x in body.rstrip("\n").split("\n")
                             if not x.startswith("**Applied in "))
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
        _sync_drift_issue(s, opts, plan, env, digest, EXIT_CHANGES, frozenset(),
                          note=f"Apply failed in run {s.ctx.run_number or s.ctx.run_id}.")
    except GitHubError as err:
        s.warn(f"could not open the drift issue: {err}")


# -- drift -------------------------------------------------------------------------------------

def run_drift(s: Session, opts: CiOptions) -> int:
    project = load_project(opts.path, env=opts.env)
    env = _env_name(opts, project)
    with open_client(project.environment) as client:
        plan = build_plan(project, client, prune=opts.prune)
        updates = {str(d.get("id")): float(d.get("updateTime") or 0) / 1000.0
                   for d in client.list_segment_definitions()}
    s.mask_secrets()
    digest = plan_digest(plan)
    exit_code = EXIT_CHANGES if plan.has_changes else EXIT_OK
    outside = edited_outside(plan, updates, _last_apply(s, opts, env))
    s.outputs.update(_verdict_outputs(plan, exit_code, digest))
    append_summary(s.ctx.step_summary,
                   plan_comment(plan, _header(s, opts, env, "drift", ""), None,
                                budget=SUMMARY_BUDGET))
    body = _sync_drift_issue(s, opts, plan, env, digest, exit_code, outside)
    _write(s, opts)
    _finish(s, body)
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


def _sync_drift_issue(s: Session, opts: CiOptions, plan: Plan, env: str, digest: str,
                      exit_code: int, outside: frozenset[str], *, note: str = "") -> str:
    key = drift_key(env, opts.path.as_posix())
    issue = next((i for i in s.gh.issues(LABEL)
                  if "pull_request" not in i and is_ours(i, key, s.ctx.bot_login)), None)
    step = decide(exit_code, issue, digest)
    body = drift_body(plan, key, digest, env=env, outside=outside, run_url=s.ctx.run_url)
    if note:
        body += f"\n{user_text(note)}\n"
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
                                        f"{user_text(plan.summary())}")
    elif step.action == "close":
        assert number is not None
        s.gh.create_comment(number, f"Resolved in {run}: the sandbox matches the files.")
        s.gh.update_issue(number, state="closed", state_reason="completed")
    if number:
        s.outputs["issue-number"] = str(number)
    return body


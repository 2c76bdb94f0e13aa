"""``segctl ci plan|apply|drift|init``: the GitHub glue (sticky plan comments, the reviewed
apply gate, the drift issue, the workflows). The logic lives in :mod:`segctl.ci`."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from segctl.ci import (
    CiOptions,
    InitOptions,
    open_session,
    read_context,
    run_apply,
    run_drift,
    run_plan,
    write_workflows,
)
from segctl.render import StreamProgress

F = TypeVar("F", bound=Callable[..., Any])


def _common(func: F) -> F:
    """Options shared by plan, apply and drift. Each also reads a SEGCTL_* variable, which is
    how action.yml passes its inputs (never interpolated into a shell line)."""
    options = [
        click.argument("path", default="segments", envvar="SEGCTL_PATH",
                       type=click.Path(path_type=Path)),
        click.option("--env", "env", metavar="NAME", envvar="SEGCTL_ENV",
                     help="Environment (kind: Environment) to plan against."),
        click.option("--comment-key", default="", envvar="SEGCTL_COMMENT_KEY", metavar="KEY",
                     help="Tell apart several projects commenting on one PR (monorepos)."),
        click.option("--prune", is_flag=True, envvar="SEGCTL_PRUNE",
                     help="Also plan deleting segctl-owned segments no longer declared."),
        click.option("--fail-on", type=click.Choice(["error", "changes"]), default="error",
                     envvar="SEGCTL_FAIL_ON", show_default=True,
                     help="changes: exit 2 when there are changes (the step fails)."),
        click.option("--out-dir", type=click.Path(path_type=Path, file_okay=False),
                     envvar="SEGCTL_OUT_DIR", default=None,
                     help="Where the plan file and markdown go (default: $RUNNER_TEMP/segctl "
                          "or .segctl-ci)."),
        click.option("--dry-run", is_flag=True,
                     help="Call no GitHub API: print the comment and the calls it would make "
                          "(always so outside GitHub Actions)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _options(path: Path, env: str | None, comment_key: str, prune: bool, fail_on: str,
             out_dir: Path | None, **extra: Any) -> CiOptions:
    if out_dir is None:
        runner_temp = os.environ.get("RUNNER_TEMP")
        out_dir = Path(runner_temp) / "segctl" if runner_temp else Path(".segctl-ci")
    return CiOptions(path=path, env=env or None, comment_key=comment_key, prune=prune,
                     fail_on=fail_on, out_dir=out_dir, **extra)


def _session(dry_run: bool) -> Any:
    return open_session(read_context(os.environ), dry_run=dry_run, echo=click.echo)


@click.group("ci", short_help="Plan comments, the reviewed apply gate and drift, for GitHub.")
def ci() -> None:
    """Run segctl in GitHub Actions: a sticky plan comment on each pull request, apply on
    merge gated on what was reviewed, and a nightly drift issue.

    Inside Actions these read GITHUB_* and the event payload and call GitHub's REST API with
    GITHUB_TOKEN (or SEGCTL_GITHUB_TOKEN). Sticky comments are recognised by their marker and
    their author, github-actions[bot] (SEGCTL_BOT_LOGIN for a GitHub App's bot). Outside
    Actions, or with --dry-run, they print the comment and the API calls they would make.

    \b
    Examples:
      segctl ci init --env prod          # write the three workflows
      segctl ci plan --env prod --dry-run
    """


@ci.command("plan", short_help="Plan and keep one sticky comment on the pull request.")
@_common
@click.option("--comment", type=click.Choice(["always", "on-change", "never"]),
              default="always", envvar="SEGCTL_COMMENT", show_default=True,
              help="on-change: no comment when nothing changes (a stale one is deleted).")
@click.option("--labels/--no-labels", default=True, envvar="SEGCTL_LABELS", show_default=True,
              help="Label the PR segctl:no-changes, segctl:add-or-update or segctl:destroy.")
@click.option("--estimate", is_flag=True, envvar="SEGCTL_ESTIMATE",
              help="Show each new or changed segment's estimated size (AEP's preview/estimate) "
                   "beside its last evaluated size.")
def plan(dry_run: bool, comment: str, labels: bool, estimate: bool, **kwargs: Any) -> None:
    """Plan PATH (default segments/) and post it as one sticky comment on the pull request:
    updated in place on every push, never duplicated, within GitHub's size limit (the full
    plan goes to the job summary and the plan file). Outputs: exitcode, has-changes,
    has-destroy, summary, digest, plan-file, plan-markdown, comment-url.

    Exit status: 0 (also with changes), 1 error, 2 changes with --fail-on changes.

    \b
    Example:
      segctl ci plan --env prod --comment on-change
    """
    session = _session(dry_run)
    progress = StreamProgress(sys.stderr, live=False, color=False)
    sys.exit(run_plan(session, _options(comment=comment, labels=labels, estimate=estimate,
                                        **kwargs), progress=progress))


@ci.command("apply", short_help="Apply on merge, only what a pull request's plan reviewed.")
@_common
@click.option("--approval", type=click.Choice(["reviewed", "saved", "auto"]),
              default="reviewed", envvar="SEGCTL_APPROVAL", show_default=True,
              help="reviewed: every change must be in the merged PR's reviewed plan. "
                   "saved: apply the merged PR's uploaded plan file, refused when stale. "
                   "auto: apply whatever the plan at HEAD says.")
def apply(dry_run: bool, approval: str, **kwargs: Any) -> None:
    """Re-plan PATH at HEAD and apply it only when every change is covered by the plan
    comment of the merged pull request (or of all pull requests merged since the last
    successful apply). Otherwise write nothing, post the new plan with its digest and exit 1;
    a workflow_dispatch with approve-digest=<digest> approves it.

    \b
    Example:
      segctl ci apply --env prod
    """
    session = _session(dry_run)
    progress = StreamProgress(sys.stderr, live=False, color=False)
    sys.exit(run_apply(session, _options(approval=approval, **kwargs), progress=progress))


@ci.command("drift", short_help="Keep one issue open while the sandbox drifts from the files.")
@_common
@click.option("--apply-workflow", default="", envvar="SEGCTL_APPLY_WORKFLOW", metavar="FILE",
              help="The apply workflow's file name, to name segments edited outside segctl "
                   "(default: segctl-apply-<env>.yml).")
def drift(dry_run: bool, apply_workflow: str, **kwargs: Any) -> None:
    """Plan PATH against the sandbox. With changes, open (or reopen) the environment's one
    drift issue (label segctl-drift) and rewrite its body, commenting only when the drift
    itself changed; segments updated live since the last apply are called "edited outside
    segctl". With none, close the issue. An error exits 1 and leaves the issue alone.

    \b
    Example:
      segctl ci drift --env prod
    """
    session = _session(dry_run)
    sys.exit(run_drift(session, _options(apply_workflow=apply_workflow, **kwargs)))


@ci.command("init", short_help="Write the plan, apply and drift workflows.")
@click.option("--env", "env", required=True, metavar="NAME",
              help="Environment the workflows plan and apply (local: the embedded sandbox).")
@click.option("--path", "path", default="segments", show_default=True,
              help="The project folder.")
@click.option("--uses", "uses", default=None, metavar="REF",
              help="The action to call (default: segctl/segctl@v<version>; ./ in this repo).")
@click.option("--branch", default="main", show_default=True, help="Branch apply runs on.")
@click.option("--dir", "root", default=".", type=click.Path(path_type=Path, file_okay=False),
              show_default=True, help="Repository root.")
@click.option("--force", is_flag=True, help="Overwrite workflows that differ.")
def init(env: str, path: str, uses: str | None, branch: str, root: Path, force: bool) -> None:
    """Write .github/workflows/segctl-{plan,apply,drift}-ENV.yml: plan on pull requests
    (sticky comment, cancels superseded runs, merge queue), apply on push to BRANCH (never
    cancelled, queued, protected environment ENV) and a nightly drift check.

    \b
    Example:
      segctl ci init --env prod
    """
    opts = InitOptions(env=env, path=path.rstrip("/"), branch=branch,
                       local=env == "local", **({"uses": uses} if uses else {}))
    for written in write_workflows(root, opts, force=force):
        click.echo(f"wrote {written}")
    if not opts.local:
        click.echo(f"next: create the GitHub Environments {env}-plan (read-only credentials) "
                   f"and {env} (write, deployment branch {branch}) with the secrets "
                   "AEP_CLIENT_ID and AEP_CLIENT_SECRET and the variable AEP_ORG_ID", err=True)

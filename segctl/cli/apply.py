"""``segctl apply``: converge the sandbox on the files (or on a saved plan)."""

from __future__ import annotations

import sys
import time
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from pathlib import Path

import click

from segctl.aep import AepClient
from segctl.applylock import apply_lock
from segctl.cli.options import (
    env_option,
    load_scope,
    refuse_partial_prune,
    scoped_plan,
    target_option,
    use_color,
    with_local_sandbox_warnings,
)
from segctl.engine import (
    ActionResult,
    ApplyOptions,
    ApplyReport,
    Plan,
    apply_plan,
    build_plan,
    check_saved_plan,
    check_unchanged,
    is_plan_file,
    open_saved_plan,
)
from segctl.errors import SegctlError, UsageError
from segctl.project import Project, Selection
from segctl.render import StreamProgress, render_plan, render_report
from segctl.render.text import where
from segctl.target import is_embedded, local_state_dir, open_client, record_local_sandbox


class ApplyFailedError(SegctlError):
    """Some actions failed or never started; the report on stdout lists each one."""


class ApplyInterruptedError(SegctlError):
    """Ctrl-C while applying: exit like any interrupted command (128 + SIGINT)."""

    exit_code = 130


@click.command("apply", short_help="Converge the sandbox on the files or on a saved plan.")
@click.argument("source", metavar="[PATH | PLANFILE]", default="segments",
                type=click.Path(path_type=Path))
@env_option("Environment (kind: Environment) to apply to.")
@click.option("--auto-approve", is_flag=True, help="Apply without asking for confirmation.")
@click.option("--prune", is_flag=True,
              help="Delete segctl-owned segments no longer declared (never protected ones).")
@click.option("--no-jobs", is_flag=True, help="Write definitions and datasets; run no jobs.")
@click.option("--concurrency", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Parallel API calls while writing definitions.")
@click.option("--timeout", type=click.FloatRange(min=1), default=1800.0, show_default=True,
              metavar="SECONDS", help="Longest wait for each segment or export job.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True,
              help="json: the apply report on stdout (segctl/render/REPORT_FORMATS.md); the "
                   "plan and progress go to stderr.")
@click.option("--lock-timeout", type=click.FloatRange(min=0), default=0.0, show_default=True,
              metavar="SECONDS",
              help="Wait this long for another apply on the same local sandbox to finish "
                   "(0: refuse at once).")
@click.option("--summary", "summary", type=click.Path(path_type=Path, dir_okay=False),
              envvar="GITHUB_STEP_SUMMARY", metavar="FILE",
              help="Append the plan and the apply report as markdown to FILE (default: "
                   "$GITHUB_STEP_SUMMARY when set).")
@target_option
@click.pass_context
def apply(ctx: click.Context, source: Path, env: str | None, auto_approve: bool, prune: bool,
          no_jobs: bool, concurrency: int, timeout: float, output_format: str,
          lock_timeout: float, summary: Path | None, targets: tuple[str, ...]) -> None:
    """Converge the sandbox on PATH (default segments/), or apply a plan saved by
    `segctl plan --out FILE`.

    Creates, updates (and with --prune deletes) segment definitions in dependency order, runs
    segment jobs for changed batch segments, creates export datasets and runs the exports.
    A saved plan is applied as reviewed (no prompt), and refused when the files or the live
    sandbox changed since it was made. One apply at a time runs on a local sandbox (a lock;
    see --lock-timeout); against any other sandbox, apply re-reads it just before the first
    write and refuses if it changed after the plan was shown.

    \b
    Examples:
      segctl apply                    # show the plan, apply after you type yes
      segctl apply --auto-approve     # no prompt (CI); required when stdin is not a terminal
      segctl apply prod.plan          # exactly the plan saved by `segctl plan --out prod.plan`
      segctl apply --auto-approve --format json > report.json   # ids, job ids, sizes, times
      segctl apply --target vip-women --auto-approve   # only it and what it depends on
    """
    as_json = output_format == "json"
    color_out = use_color(ctx, sys.stdout) and not as_json
    project, saved, selection = _source(source, env, targets, prune)
    with open_client(project.environment, project_root=project.root) as client, \
            _local_lock(client, lock_timeout):
        if saved is not None:
            the_plan = check_saved_plan(saved, project, client)
        else:
            the_plan = with_local_sandbox_warnings(
                scoped_plan(build_plan(project, client, prune=prune), selection), client,
                project.root)
        click.echo(render_plan(the_plan, color=use_color(ctx, sys.stderr) if as_json
                               else color_out), nl=False, err=as_json)
        if not the_plan.has_work:
            if as_json:
                click.echo(render_report(ApplyReport(()), "json", plan=the_plan, seconds=0.0),
                           nl=False)
            return
        if saved is None and not auto_approve:
            _confirm(the_plan)
        # nobody else can write a local sandbox while we hold its lock; any other sandbox may
        # have moved while the plan was reviewed: re-read it right before the first write
        recheck = None if is_embedded(client) or saved is not None else \
            partial(check_unchanged, the_plan, project, client)
        options = ApplyOptions(concurrency=concurrency, run_jobs=not no_jobs, timeout=timeout,
                               before_first_write=recheck)
        if record_local_sandbox(client):  # the warning above said so
            click.echo(f"Created development sandbox '{client.config.sandbox}' in the local "
                       "sandbox.", err=True)
        report, shown, seconds = _run(ctx, the_plan, client, options)
    if summary is not None:
        from segctl.ci import write_summary

        write_summary(summary, the_plan, command="apply", project=source.as_posix(),
                      report=report)
    if as_json:
        click.echo(render_report(report, "json", plan=the_plan, seconds=seconds), nl=False)
    else:
        click.echo("")
        click.echo(render_report(report, color=color_out, seconds=seconds,
                                 shown=shown), nl=False)
    if not report.ok:
        raise ApplyFailedError(
            "apply did not complete; the lines above list what succeeded, failed and "
            "never started",
            hint="fix the cause and run `segctl apply` again: it converges without duplicates",
        )


def _source(source: Path, env: str | None, targets: tuple[str, ...], prune: bool
            ) -> tuple[Project, Plan | None, Selection | None]:
    """The project to apply, the saved plan (when SOURCE is one) and the --target selection."""
    if not _is_saved_plan(source):
        refuse_partial_prune(source, prune)
        project, selection = load_scope(source, env, targets, prune)
        return project, None, selection
    if targets:
        raise UsageError("--target is decided when the plan is made: run "
                         "`segctl plan --target KEY --out FILE`")
    saved = open_saved_plan(source, environment=env, prune=prune)
    return saved.project, saved.plan, None


def _run(ctx: click.Context, the_plan: Plan, client: AepClient, options: ApplyOptions
         ) -> tuple[ApplyReport, list[ActionResult], float]:
    """The report, the results the progress already printed, and the total seconds."""
    progress = StreamProgress(sys.stderr, live=sys.stderr.isatty(),
                              color=use_color(ctx, sys.stderr))
    click.echo(f"Applying to {where(the_plan)}...", err=True)
    started = time.monotonic()
    try:
        report = apply_plan(the_plan, client, options, progress)
        return report, progress.shown, time.monotonic() - started
    except KeyboardInterrupt:
        click.echo("", err=True)  # end a live progress line
        raise ApplyInterruptedError(
            "interrupted: apply stopped part-way; what was written before stays written",
            hint="run `segctl plan` to see what is left: `segctl apply` again converges "
                 "without duplicates") from None


def _local_lock(client: AepClient, timeout: float) -> AbstractContextManager[None]:
    """The apply lock of an embedded local sandbox (nothing to lock for other targets)."""
    state_dir = local_state_dir(client)
    return nullcontext() if state_dir is None else apply_lock(state_dir, timeout)


def _is_saved_plan(source: Path) -> bool:
    """A file that is not YAML is meant as a saved plan (load_plan says why if it is not one)."""
    return is_plan_file(source) or (
        source.is_file() and source.suffix.lower() not in (".yaml", ".yml"))


def _confirm(the_plan: Plan) -> None:
    if not sys.stdin.isatty():
        raise UsageError("stdin is not a terminal, so apply cannot ask for confirmation",
                         hint="review `segctl plan`, then run `segctl apply --auto-approve`; "
                              "or apply exactly what was reviewed: `segctl plan --out FILE`, "
                              "then `segctl apply FILE`")
    try:
        answer = click.prompt(
            f"\nApply these changes to {where(the_plan)}? Only 'yes' is accepted",
            default="", show_default=False, err=True)
    except click.Abort as abort:  # Ctrl-C or end of input at the prompt
        click.echo("", err=True)
        if isinstance(abort.__context__, KeyboardInterrupt):
            raise ApplyInterruptedError("interrupted at the confirmation prompt: nothing was "
                                        "changed") from None
        answer = ""
    if answer.strip() != "yes":
        raise UsageError("apply cancelled: nothing was changed")

"""``segctl plan``: a read-only diff of the project against the sandbox."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.core import ParameterSource

from segctl.cli.options import (
    env_option,
    load_scope,
    refuse_partial_prune,
    refuse_saved_plan,
    scoped_plan,
    target_option,
    use_color,
    with_local_sandbox_warnings,
)
from segctl.engine import ESTIMATE_TIMEOUT, build_plan, estimate_plan
from segctl.errors import EXIT_CHANGES, UsageError
from segctl.render import StreamProgress, render_plan
from segctl.target import open_client


@click.command("plan", short_help="Show what apply would change (read-only).")
@click.argument("path", default="segments", type=click.Path(path_type=Path))
@env_option("Environment (kind: Environment) to plan against.")
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="Save the plan (JSON, with a live-state fingerprint) for `segctl apply FILE`.")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True, help="How to print the plan on stdout.")
@click.option("--detailed-exitcode", is_flag=True,
              help="Exit 2 when apply would do anything or evaluation work remains: changes, "
                   "jobs, exports, segments awaiting evaluation (0 nothing to do, 1 error).")
@click.option("--prune", is_flag=True,
              help="Also plan deleting segctl-owned segments no longer declared.")
@click.option("--estimate", is_flag=True,
              help="Ask AEP to estimate the size of each new or changed segment (preview/estimate "
                   "endpoints; read-only) and show it beside the last evaluated size.")
@click.option("--estimate-timeout", type=click.FloatRange(min=0), default=ESTIMATE_TIMEOUT,
              show_default=True, metavar="SECONDS",
              help="With --estimate: stop waiting after this long; late estimates show as "
                   "unavailable.")
@click.option("--summary", "summary", type=click.Path(path_type=Path, dir_okay=False),
              envvar="GITHUB_STEP_SUMMARY", metavar="FILE",
              help="Append the plan as markdown to FILE (default: $GITHUB_STEP_SUMMARY when "
                   "set, so a GitHub Actions job shows it).")
@target_option
@click.pass_context
def plan(ctx: click.Context, path: Path, env: str | None, out: Path | None, output_format: str,
         detailed_exitcode: bool, prune: bool, estimate: bool, estimate_timeout: float,
         summary: Path | None, targets: tuple[str, ...]) -> None:
    """Show what `segctl apply` would change in the sandbox (nothing is written).

    PATH is the project folder (default: segments/) or one file of it: a file plans only what
    it declares (and what that depends on), with the project's Environments and vars.

    With --estimate, each new or changed segment gets "≈ N profiles (±margin)" from AEP's
    estimate (exact on the local sandbox, which reads every profile) beside its last evaluated
    size. A failed or late estimate shows as unavailable with its reason; estimates never change
    the exit status.

    Exit status: 0 nothing to do (or any success without --detailed-exitcode), 1 error
    (usage errors included), 2 with --detailed-exitcode when apply would do anything: write
    a definition or dataset, stamp an ownership marker, or run a segment job or export — or
    when evaluation work remains: a segment job still running, segments awaiting evaluation
    (also those left to the scheduled evaluation because AEP's on-demand ration is spent).
    A plain plan never creates the local sandbox; --out does (the saved plan needs it).

    \b
    Examples:
      segctl plan
      segctl plan --env prod --out prod.plan --format markdown > plan.md
      segctl plan --detailed-exitcode || [ $? -eq 2 ]   # CI: 2 only means work remains
      segctl plan --target vip-women       # vip-women and the segments it refers to
      segctl plan segments/exports.yaml    # only what this file declares
      segctl plan --estimate --format markdown > plan.md   # with audience sizes
    """
    refuse_saved_plan(path)
    refuse_partial_prune(path, prune)
    if not estimate and ctx.get_parameter_source("estimate_timeout") is ParameterSource.COMMANDLINE:
        raise UsageError("--estimate-timeout only applies with --estimate",
                         hint="segctl plan --estimate --estimate-timeout 300")
    project, selection = load_scope(path, env, targets, prune)
    # a plain plan reads only: it never creates the local sandbox; a saved plan needs the
    # sandbox it will be applied to (its fingerprint), so --out creates it like apply would
    with open_client(project.environment, project_root=project.root,
                     read_only=out is None) as client:
        the_plan = with_local_sandbox_warnings(
            scoped_plan(build_plan(project, client, prune=prune), selection), client,
            project.root)
        if estimate:
            progress = StreamProgress(sys.stderr, live=sys.stderr.isatty(),
                                      color=use_color(ctx, sys.stderr))
            the_plan = estimate_plan(the_plan, client, timeout=estimate_timeout,
                                     progress=progress)
    if out is not None:
        from segctl.engine import save_plan  # the plan-file codec, only when saving

        save_plan(the_plan, out)
        click.echo(f"Saved the plan to {out}; apply it with: segctl apply {out}", err=True)
    if summary is not None:
        from segctl.ci import write_summary

        write_summary(summary, the_plan, command="plan", project=path.as_posix())
    click.echo(render_plan(the_plan, output_format, color=use_color(ctx, sys.stdout)), nl=False)
    if detailed_exitcode and the_plan.has_work:
        ctx.exit(EXIT_CHANGES)

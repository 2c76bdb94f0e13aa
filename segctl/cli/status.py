"""``segctl status [PATH] [--env E] [--format text|json]``: what is live for the project."""

from __future__ import annotations

from pathlib import Path

import click

from segctl.cli.options import env_option, refuse_saved_plan
from segctl.engine.plan import target_of
from segctl.project import Project, load_project
from segctl.render.text import where
from segctl.status import read_status, render_json, render_text
from segctl.target import open_client


@click.command("status", short_help="List what is live: segments, owners, sizes, datasets.")
@click.argument("path", default="segments", type=click.Path(path_type=Path))
@env_option("Environment (kind: Environment) whose sandbox to list.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True,
              help="json: the status document (segctl/render/REPORT_FORMATS.md).")
def status(path: Path, env: str | None, output_format: str) -> None:
    """List the live side of the project (read-only): one row per live segment with its key,
    id, owner (this project, another project, or unmanaged), evaluation type, last
    evaluation time, whether it awaits an evaluation, and its last known size; then the
    datasets segctl owns, with their last export.

    \b
    Examples:
      segctl status
      segctl status --env prod --format json | jq '.segments[] | select(.awaiting_evaluation)'
    """
    refuse_saved_plan(path)
    project: Project | None = None
    if path.exists() or env is not None:
        project = load_project(path, env=env, offline_checks=False)
    # read-only: the local sandbox is found from the project root and never created here
    with open_client(project.environment if project else None,
                     project_root=project.root if project else None,
                     read_only=True) as client:
        found = read_status(client, project)
        target = target_of(project or Project(root=path), client)
    if output_format == "json":
        click.echo(render_json(found, {"environment": target.environment,
                                       "sandbox": target.sandbox,
                                       "platform_url": target.platform_url}), nl=False)
        return
    from segctl.engine.model import Plan  # only for the wording of the target

    click.echo(render_text(found, where(Plan(changes=(), target=target))), nl=False)

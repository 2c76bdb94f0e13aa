"""``segctl import [--env E] [--out DIR] [--match GLOB]``: adopt live segments as YAML files."""

from __future__ import annotations

from pathlib import Path

import click

from segctl.adopt import import_segments, plan_files, write_files
from segctl.cli.common import env_option
from segctl.errors import UsageError
from segctl.project import Project, load_project
from segctl.project.source import find_yaml_files
from segctl.render.escape import terminal
from segctl.target import open_client


def _project(path: Path, env: str | None) -> Project | None:
    """The existing project (for environments and what is declared), None for a fresh start."""
    if env is None and (not path.exists() or (path.is_dir() and not find_yaml_files(path))):
        return None
    if env is not None and not path.exists():
        raise UsageError(f"--env {env}: project folder {path} not found",
                         hint="declare the Environment documents there, or pass --project")
    return load_project(path, env)


@click.command("import", short_help="Write YAML files for the live segments of a sandbox.")
@env_option("Environment to read from (default: the local sandbox).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the files into (default: the project folder).")
@click.option("--match", "match", metavar="GLOB",
              help="Only segments whose name matches GLOB (fnmatch, case-sensitive), plus the "
                   "segments they refer to.")
@click.option("--project", "project_dir", default="segments", show_default=True,
              type=click.Path(path_type=Path),
              help="Project folder: its Environment documents and the segments it declares "
                   "already (those are not imported again).")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.option("--dry-run", is_flag=True, help="Print the YAML instead of writing files.")
def import_(env: str | None, out_dir: Path | None, match: str | None, project_dir: Path,
            force: bool, dry_run: bool) -> None:
    """Write one YAML file per live segment definition (adopt an existing sandbox).

    Keys are slugs of the names; PQL (text or pql/json) is written as canonical text with
    inSegment ids turned into key: references; server defaults are left out. Nothing is
    written to the sandbox: the next `segctl apply` adopts the segments (by name) and stamps
    ownership. Existing files are never overwritten without --force.

    \b
    Examples:
      segctl import --dry-run
      segctl import --env prod --match 'VIP*' --out segments/imported
    """
    project = _project(project_dir, env)
    target = out_dir or project_dir
    root = project.root if project else (project_dir if project_dir.is_dir() else None)
    with open_client(project.environment if project else None, project_root=root,
                     read_only=True) as client:
        result = import_segments(client, match=match, project=project)
    for warning in result.warnings:
        click.echo(terminal(f"warning: {warning}"), err=True)
    if result.already_declared:
        names = ", ".join(repr(n) for n in result.already_declared)
        click.echo(f"skipped {len(result.already_declared)} segment(s) the project declares "
                   f"already: {names}", err=True)
    planned = plan_files(result.segments, target)
    if not planned:
        what = f" matching {match!r}" if match else ""
        if result.already_declared:
            click.echo(f"nothing to import: the project declares every live segment "
                       f"definition{what} already", err=True)
        else:
            click.echo(f"no live segment definitions{what} to import", err=True)
        return
    if dry_run:
        for item in planned:
            click.echo(f"# --- {item.path}")
            click.echo(item.text, nl=False)
        return
    written = write_files(planned, force=force)
    for item in planned:
        note = f" (needed by {', '.join(item.segment.dependency_of)})" \
            if item.segment.dependency_of else ""
        click.echo(f"wrote {item.path}  [{item.segment.name}]{note}")
    if written:
        click.echo(f"imported {len(written)} segment(s) into {target}; `segctl plan` shows "
                   "them as adopted, with no field changes", err=True)

"""``segctl init [DIR]``: scaffold a project that ``segctl apply`` converges at once."""

from __future__ import annotations

import re
from pathlib import Path

import click

from segctl.errors import UsageError
from segctl.scaffold import project_name_for, scaffold_files, write_scaffold


@click.command("init", short_help="Create a new project: a segment, its test, an export.")
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite files that exist already.")
@click.option("--name", "name", metavar="NAME",
              help="The project's name (kind: Project), carried by every ownership marker "
                   "(default: the folder's name).")
@click.option("--ci", "ci_env", metavar="ENV",
              help="Also write the GitHub Actions workflows (plan on pull requests, apply on "
                   "merge, nightly drift) for Environment ENV, as `segctl ci init` does.")
def init(directory: Path, force: bool, name: str | None, ci_env: str | None) -> None:
    """Scaffold a segctl project in DIRECTORY (default: the current folder).

    Writes segments/ with the Project's name, one example Segment, a SegmentTest for it, an
    Export and a local Environment (plus a commented production one), the JSON Schemas in
    schemas/ that the files' `yaml-language-server` lines point editors at, and a .gitignore
    for the local sandbox's state (.segctl/). `segctl apply` works on it at once. With --ci
    ENV, also the GitHub Actions workflows of `segctl ci init --env ENV`.

    \b
    Examples:
      segctl init my-audiences && cd my-audiences
      segctl validate && segctl test
      segctl apply --auto-approve
      segctl dataset preview --export female-customers
      segctl init --ci local     # with workflows that plan and apply on the local sandbox
    """
    chosen = name or project_name_for(directory)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", chosen):  # project.schema.json
        raise UsageError(f"--name {chosen!r}: use letters, digits, '.', '_' and '-', starting "
                         "with a letter or digit")
    written = write_scaffold(directory, scaffold_files(chosen), force=force)
    if ci_env is not None:
        from segctl.ci import InitOptions, write_workflows  # only here: the ci package is big

        written += write_workflows(directory, InitOptions(env=ci_env, local=ci_env == "local"),
                                   force=force)
    for path in written:
        click.echo(f"wrote {path}")
    if ci_env not in (None, "local"):
        click.echo(f"note: the workflows use Environment {ci_env!r}: declare it in "
                   "segments/environments.yaml (a commented example is there) and see "
                   "`segctl ci init --help` for the GitHub side", err=True)
    where = "" if directory == Path(".") else f"cd {directory} && "
    click.echo(f"\nNext: {where}segctl validate && segctl test && segctl plan", err=True)

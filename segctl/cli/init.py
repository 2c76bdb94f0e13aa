"""``segctl init [DIR]``: scaffold a project that ``segctl apply`` converges at once."""

from __future__ import annotations

from pathlib import Path

import click

from segctl.scaffold import scaffold_files, write_scaffold


@click.command("init", short_help="Create a new project: a segment, its test, an export.")
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite files that exist already.")
def init(directory: Path, force: bool) -> None:
    """Scaffold a segctl project in DIRECTORY (default: the current folder).

    Writes segments/ with one example Segment, a SegmentTest for it, an Export and a local
    Environment (plus a commented production one), the JSON Schemas in schemas/ that the
    files' `yaml-language-server` lines point editors at, and a .gitignore for the local
    sandbox's state (.segctl/). Nothing exists yet? Then `segctl apply` works at once.

    \b
    Examples:
      segctl init my-audiences && cd my-audiences
      segctl validate && segctl test
      segctl apply --auto-approve
      segctl dataset preview --export female-customers
    """
    written = write_scaffold(directory, scaffold_files(), force=force)
    for path in written:
        click.echo(f"wrote {path}")
    where = "" if directory == Path(".") else f"cd {directory} && "
    click.echo(f"\nNext: {where}segctl validate && segctl test && segctl plan", err=True)

"""``segctl fmt [PATH] [--check]``: rewrite YAML files in canonical form."""

from __future__ import annotations

from pathlib import Path

import click

from segctl.fmt import FormatCheckFailed, format_paths, write_results
from segctl.render.escape import terminal


@click.command("fmt", short_help="Format YAML files: canonical PQL and key order.")
@click.argument("path", required=False, type=click.Path(path_type=Path), default=Path("segments"))
@click.option("--check", is_flag=True,
              help="Write nothing; list the files that would change and exit 1 if any would.")
def fmt(path: Path, check: bool) -> None:
    """Format YAML files: canonical PQL, stable key order, comments kept.

    PATH is a file or a folder (default: segments/). Keys follow kind, key, name, description,
    then the order of the kind's JSON Schema; long PQL becomes a `|` block scalar.

    \b
    Examples:
      segctl fmt
      segctl fmt --check     # CI: list what would change, exit 1 if anything would
    """
    results, errors = format_paths([path])
    for err in errors:
        click.echo(terminal(err.format()), err=True)
    changed = [r for r in results if r.changed]
    if check:
        for result in changed:
            click.echo(f"would reformat {result.path}")
        verdict = "would be reformatted"
    else:
        for written in write_results(changed):
            click.echo(f"reformatted {written}")
        verdict = "reformatted"
    unchanged = len(results) - len(changed)
    summary = f"{len(changed)} file(s) {verdict}, {unchanged} file(s) left unchanged"
    if errors:
        summary += f", {len(errors)} file(s) could not be formatted"
    if errors or (check and changed):
        raise FormatCheckFailed(summary)
    click.echo(summary, err=True)

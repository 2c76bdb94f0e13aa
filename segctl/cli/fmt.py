"""``segctl fmt [PATH] [--check]``: rewrite YAML files in canonical form."""

from __future__ import annotations

from pathlib import Path

import click

from segctl.cli import annotate
from segctl.errors import Location
from segctl.fmt import FormatCheckFailed, FormatResult, format_paths, write_results
from segctl.render.escape import terminal


@click.command("fmt", short_help="Format YAML files: canonical PQL and key order.")
@click.argument("path", required=False, type=click.Path(path_type=Path), default=Path("segments"))
@click.option("--check", is_flag=True,
              help="Write nothing; list the files that would change and exit 1 if any would.")
@click.option("--format", "output_format", type=click.Choice(["text", "github"]),
              default="text", show_default=True,
              help="github (with --check): each file that would change, and each file that "
                   "cannot be formatted, as a GitHub Actions annotation.")
def fmt(path: Path, check: bool, output_format: str) -> None:
    """Format YAML files: canonical PQL, stable key order, comments kept.

    PATH is a file or a folder (default: segments/). Keys follow kind, key, name, description,
    then the order of the kind's JSON Schema; long PQL becomes a `|` block scalar.

    \b
    Examples:
      segctl fmt
      segctl fmt --check     # CI: list what would change, exit 1 if anything would
      segctl fmt --check --format github   # ... as annotations in a GitHub Actions job
    """
    results, errors = format_paths([path])
    for err in errors:
        click.echo(terminal(err.format()), err=True)
    changed = [r for r in results if r.changed]
    if output_format == "github" and check:
        found = [annotate.Annotation("error", e.message, "segctl fmt", e.location)
                 for e in errors]
        found += [_would_reformat(r) for r in changed]
        for line in annotate.render(found):
            click.echo(line)
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


def _would_reformat(result: FormatResult) -> annotate.Annotation:
    line = annotate.first_difference(result.original, result.formatted)
    return annotate.Annotation(
        "error", f"would reformat (first difference at line {line}); run `segctl fmt`",
        "segctl fmt", Location(str(result.path), line))

"""``segctl fmt [PATH...] [--check] [--diff] [--format text|github]``: rewrite YAML files in
canonical form."""

from __future__ import annotations

import difflib
from pathlib import Path

import click

from segctl.cli import annotate
from segctl.errors import Location
from segctl.fmt import FormatCheckFailed, FormatResult, format_paths, write_results
from segctl.render.escape import terminal


def unified_diff(result: FormatResult) -> str:
    """The change fmt would make to one file, as a unified diff (git's ``a/``, ``b/`` prefixes
    for a relative path, ``git apply -p1`` takes it)."""
    name = result.path.as_posix()
    old, new = (name, name) if result.path.is_absolute() else (f"a/{name}", f"b/{name}")
    return "".join(difflib.unified_diff(
        result.original.splitlines(keepends=True), result.formatted.splitlines(keepends=True),
        fromfile=old, tofile=new))


@click.command("fmt", short_help="Format YAML files: canonical PQL and key order.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True,
              help="Write nothing; list the files that would change and exit 1 if any would.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Write nothing; print what would change as a unified diff.")
@click.option("--format", "output_format", type=click.Choice(["text", "github"]),
              default="text", show_default=True,
              help="github (with --check): each file that would change, and each file that "
                   "cannot be formatted, as a GitHub Actions annotation.")
def fmt(paths: tuple[Path, ...], check: bool, show_diff: bool, output_format: str) -> None:
    """Format YAML files: canonical PQL, stable key order, comments kept.

    PATH is a file or a folder, and several may be given (default: segments/). Keys follow
    kind, key, name, description, then the order of the kind's JSON Schema; long PQL becomes
    a `|` block scalar. Comments stay where they were, with their spacing.

    \b
    Examples:
      segctl fmt
      segctl fmt segments/a.yaml segments/b.yaml   # only these files (pre-commit passes them)
      segctl fmt --diff                            # show the changes, write nothing
      segctl fmt --check     # CI: list what would change, exit 1 if anything would
      segctl fmt --check --format github   # ... as annotations in a GitHub Actions job
    """
    results, errors = format_paths(list(paths) or [Path("segments")])
    for err in errors:
        click.echo(terminal(err.format()), err=True)
    changed = [r for r in results if r.changed]
    if output_format == "github" and check:
        found = [annotate.Annotation("error", e.message, "segctl fmt", e.location)
                 for e in errors]
        found += [_would_reformat(r) for r in changed]
        for line in annotate.render(found):
            click.echo(line)
    if show_diff:
        for result in changed:
            click.echo(unified_diff(result), nl=False)
    if check or show_diff:
        if check:
            for result in changed:
                click.echo(f"would reformat {result.path}", err=show_diff)
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

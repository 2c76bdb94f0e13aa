"""``segctl test [PATH]``: run the SegmentTest documents of a project with the local PQL engine."""

from __future__ import annotations

import time
from pathlib import Path

import click

from segctl.cli import annotate
from segctl.cli.options import color_wanted, env_option
from segctl.errors import UsageError
from segctl.project import load_project
from segctl.testing import (
    CaseResult,
    Expectation,
    SegmentTest,
    TestsFailed,
    render,
    run_tests,
    to_json,
    to_junit,
)


def _same_file(shown: str | None, target: Path) -> bool:
    return shown is not None and Path(shown).resolve() == target.resolve()


def _inside(path: Path, folder: Path) -> bool:
    """True for a folder strictly inside ``folder`` (``segments/tests`` in ``segments``)."""
    inner, outer = path.resolve(), folder.resolve()
    return inner != outer and inner.is_relative_to(outer)


def _under(shown: str | None, target: Path) -> bool:
    if shown is None:
        return False
    file, scope = Path(shown).resolve(), target.resolve()
    return file == scope or file.is_relative_to(scope)


@click.command("test", short_help="Run SegmentTest unit tests with the local PQL engine.")
@click.argument("path", default="segments", type=click.Path(exists=True, path_type=Path))
@click.option("--project", "project_dir", default="segments", show_default=True,
              type=click.Path(path_type=Path),
              help="Project folder holding the segments, when PATH is a test file or a folder "
                   "inside it.")
@env_option("Environment whose vars fill ${vars.NAME} (default: the one named 'local').")
@click.option("-k", "keyword", metavar="TEXT",
              help="Run only the cases whose 'test name::segment key' contains TEXT.")
@click.option("--format", "output_format",
              type=click.Choice(["text", "github", "json", "junit"]), default="text",
              show_default=True,
              help="github: also print each failed case as a GitHub Actions annotation; json: "
                   "the report document (segctl/render/REPORT_FORMATS.md); junit: JUnit XML "
                   "for CI test views.")
@click.pass_context
def test(ctx: click.Context, path: Path, project_dir: Path, env: str | None,
         keyword: str | None, output_format: str) -> None:
    """Run segment unit tests (kind: SegmentTest) under PATH (default: segments/).

    Each test gives fixture profiles and events, a fixed `now`, and the expected members of
    some segments; inSegment("key:...") dependencies are evaluated first. Prints PASS/FAIL per
    case, the expected and actual members of each failure, and exits 1 if any case fails.

    \b
    Examples:
      segctl test
      segctl test segments/tests/shopper-behaviour.yaml -k vip-women
      segctl test --format junit > segment-tests.xml   # CI: publish as a test report
      segctl test --format github     # failed cases annotated in a GitHub Actions job
    """
    # a test file or a folder inside the project runs only its tests, with the whole project
    scoped = path.is_file() or _inside(path, project_dir)
    project = load_project(project_dir if scoped else path, env)
    if path.is_file() and not any(_same_file(str(f), path) for f in project.files):
        raise UsageError(f"{path} is not part of the project in {project_dir}",
                         hint="pass the project folder with --project")

    def select(test: SegmentTest, case: Expectation) -> bool:
        if scoped and not _under(test.location.file, path):
            return False
        return keyword is None or keyword in f"{test.name}::{case.segment}"

    started = time.monotonic()
    report = run_tests(project, select)
    seconds = time.monotonic() - started
    if not report.cases and keyword is not None:
        raise UsageError(f"no test case under {path} matches -k {keyword!r}",
                         hint="-k matches 'test name::segment key'; run `segctl test` "
                              "to list every case")
    if not report.cases:
        click.echo(f"no SegmentTest cases found under {path}", err=True)
    if output_format == "json":
        click.echo(to_json(report, seconds), nl=False)
    elif output_format == "junit":
        click.echo(to_junit(report, seconds), nl=False)
    else:
        click.echo(render(report, color=color_wanted(ctx) and output_format == "text"),
                   nl=False)
    if output_format == "github":
        for line in annotate.render(_annotation(c) for c in report.cases if not c.passed):
            click.echo(line)
    if not report.ok:
        raise TestsFailed(f"{report.failed} of {len(report.cases)} segment test case(s) failed")


def _annotation(case: CaseResult) -> annotate.Annotation:
    """A failed case, at its expectation in the test file."""
    if case.error is not None:
        message = case.error
    else:
        parts = []
        if case.missing:
            parts.append(f"expected but not members: {', '.join(case.missing)}")
        if case.unexpected:
            parts.append(f"members but not expected: {', '.join(case.unexpected)}")
        message = "; ".join(parts)
    return annotate.Annotation("error", message, f"segment test {case.title} failed",
                                  case.location)

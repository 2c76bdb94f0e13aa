"""``segctl validate``: offline checks of a project, every problem reported at once."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from segctl.cli import annotate
from segctl.cli.options import env_option, refuse_saved_plan
from segctl.errors import Diagnostic, ValidationError
from segctl.project import KINDS, LoadResult, analyse_project
from segctl.render.escape import terminal


class GithubValidationError(ValidationError):
    """The diagnostics were already printed as GitHub annotations; print only the summary."""

    def format(self) -> str:
        return f"error: {self.message}"


def github_annotation(diagnostic: Diagnostic) -> str:
    """A GitHub Actions workflow command (``::error file=...,line=...,col=...::message``)."""
    return annotate.workflow_command(annotate.from_diagnostic(diagnostic))


def summary(counts: dict[str, int]) -> str:
    """``9 segments, 2 exports, 1 environment`` in the order of the kind table."""
    parts = []
    for kind in KINDS:
        n = counts.get(kind, 0)
        if n or kind in ("Segment", "Export", "Environment"):
            words = re.sub(r"(?<!^)(?=[A-Z])", " ", kind).lower()
            parts.append(f"{n} {words}{'' if n == 1 else 's'}")
    return ", ".join(parts)


#: the version of the ``validate --format json`` document
VALIDATE_FORMAT_VERSION = 1


def validation_document(result: LoadResult, path: Path) -> dict[str, Any]:
    """``validate --format json``: the verdict, what was loaded and every diagnostic."""
    project = result.project
    counts = {kind: result.counts.get(kind, 0) for kind in KINDS}
    return {
        "format_version": VALIDATE_FORMAT_VERSION,
        "ok": not result.errors,
        "path": str(path),
        "environment": project.environment.name if project and project.environment else None,
        "counts": counts,
        "diagnostics": [{
            "severity": d.severity,
            "message": d.message,
            "file": d.location.file,
            "line": d.location.line,
            "col": d.location.col,
        } for d in result.diagnostics],
    }


def _echo_all(lines: Iterable[str], err: bool) -> None:
    for line in lines:
        click.echo(line, err=err)


@click.command("validate", short_help="Check the project offline: YAML, schema, PQL, references.")
@click.argument("path", default="segments", type=click.Path(path_type=Path))
@env_option("Environment whose vars fill ${vars.NAME} (default: the one named 'local').")
@click.option("--format", "output_format", type=click.Choice(["text", "github", "json"]),
              default="text", show_default=True,
              help="github: GitHub Actions annotations; json: one document with every "
                   "diagnostic (segctl/render/REPORT_FORMATS.md).")
def validate(path: Path, env: str | None, output_format: str) -> None:
    """Check PATH (default: segments/) offline: YAML, JSON Schema, PQL syntax, references,
    duplicate keys and names, dependency cycles. Reports every problem with file:line:col
    and exits 1 if there is any error.

    \b
    Examples:
      segctl validate
      segctl validate --env prod --format github   # annotations in a GitHub Actions job
      segctl validate --format json | jq '.diagnostics[] | .message'
    """
    refuse_saved_plan(path)
    result = analyse_project(path, env)
    if output_format == "json":
        click.echo(json.dumps(validation_document(result, path), indent=2, ensure_ascii=False))
        if result.errors:
            raise GithubValidationError(result.diagnostics)
        return
    if output_format == "github":
        _echo_all(annotate.render(annotate.from_diagnostic(d, "segctl validate")
                                     for d in result.diagnostics), err=False)
        if result.errors:
            raise GithubValidationError(result.diagnostics)
    elif result.errors:
        raise ValidationError(result.diagnostics)
    else:
        _echo_all((terminal(d.format()) for d in result.diagnostics), err=True)
    project = result.project
    assert project is not None
    counts = {kind: len(docs) for kind, docs in project.documents.items()}
    env_text = f", environment '{project.environment.name}'" if project.environment else ""
    click.echo(f"OK: {summary(counts)} in {path}{env_text}")

"""``--format github`` for validate, test and ``fmt --check``: GitHub Actions annotations.

GitHub shows at most 10 annotations of each level per step (actions/toolkit
``docs/problem-matchers.md``), so each level prints its first 10 as workflow commands
(``::error file=,line=,col=,endLine=,endColumn=,title=::message``), the rest as plain log
lines, and one ``::notice::`` counts what did not become an annotation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from segctl.errors import Diagnostic, Location

MAX_PER_LEVEL = 10
_TOKEN = re.compile(r"\w+|\S")


@dataclass(frozen=True)
class Annotation:
    level: str  # error | warning | notice
    message: str
    title: str = ""
    location: Location | None = None


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _span_end(loc: Location) -> int | None:
    """The column after the token the caret points at (the caret's span)."""
    if loc.col is None or not loc.source_line:
        return None
    found = _TOKEN.match(loc.source_line, loc.col - 1)
    return found.end() if found else None


def workflow_command(annotation: Annotation) -> str:
    loc = annotation.location
    props: list[str] = []
    if loc is not None and loc.file:
        props.append(f"file={escape_property(loc.file)}")
        if loc.line is not None:
            props.append(f"line={loc.line}")
            end = _span_end(loc)
            if loc.col is not None:
                props.append(f"col={loc.col}")
            props.append(f"endLine={loc.line}")
            if end is not None:
                props.append(f"endColumn={end}")
    if annotation.title:
        props.append(f"title={escape_property(annotation.title)}")
    head = f"::{annotation.level} {','.join(props)}" if props else f"::{annotation.level}"
    return f"{head}::{escape_data(annotation.message)}"


def plain_line(annotation: Annotation) -> str:
    where = f"{annotation.location}: " if annotation.location is not None else ""
    return f"{where}{annotation.level}: {annotation.message}"


def render(annotations: Iterable[Annotation], *, limit: int = MAX_PER_LEVEL) -> list[str]:
    """Workflow commands for the first ``limit`` of each level; the rest as plain lines,
    counted by one final notice."""
    lines: list[str] = []
    shown: dict[str, int] = {}
    rest: dict[str, int] = {}
    for annotation in annotations:
        if shown.get(annotation.level, 0) < limit:
            shown[annotation.level] = shown.get(annotation.level, 0) + 1
            lines.append(workflow_command(annotation))
        else:
            rest[annotation.level] = rest.get(annotation.level, 0) + 1
            lines.append(plain_line(annotation))
    if rest:
        counts = ", ".join(f"{n} more {level}{'' if n == 1 else 's'}"
                           for level, n in rest.items())
        lines.append(f"::notice title=segctl::{counts} not shown as annotations "
                     f"(GitHub shows {limit} per level); see the log")
    return lines


def from_diagnostic(diagnostic: Diagnostic, title: str = "") -> Annotation:
    level = "error" if diagnostic.severity == "error" else "warning"
    return Annotation(level, diagnostic.message, title, diagnostic.location)


def first_difference(before: str, after: str) -> int:
    """The 1-based line where two texts first differ."""
    for n, (a, b) in enumerate(zip(before.splitlines(), after.splitlines(), strict=False), 1):
        if a != b:
            return n
    return min(len(before.splitlines()), len(after.splitlines())) + 1

"""``segctl pql ...``: parse, convert and evaluate PQL expressions."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import click

from segctl.errors import Location, SegctlError, UsageError
from segctl.pql import Expr, check, from_json, parse, segment_refs, to_json, to_text
from segctl.pql import compile as compile_pql
from segctl.pql.evaluator.functions import MapEntry
from segctl.pql.timeutil import TimeValue
from segctl.render.escape import terminal


def read_expression(expr: str) -> tuple[str, str]:
    """(text, file name for errors): the argument itself, or standard input for ``-``."""
    if expr == "-":
        return sys.stdin.read(), "<stdin>"
    return expr, "<expr>"


def looks_like_json(text: str) -> bool:
    """True for a pql/json document: a JSON object, or a JSON string holding one.

    A PQL text never starts with ``{`` except for a bare object literal, which is not a
    useful expression on its own.
    """
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return True
    if stripped.startswith('"'):
        try:
            inner = json.loads(stripped)
        except ValueError:
            return False
        return isinstance(inner, str) and inner.lstrip().startswith("{")
    return False


def read_any(expr: str) -> Expr:
    """The AST of a pql/text or pql/json argument (``-`` reads standard input)."""
    text, name = read_expression(expr)
    if looks_like_json(text):
        return from_json(text, file=name)
    return parse(text, file=name)


@click.group("pql")
def pql() -> None:
    """Work with PQL (Profile Query Language) expressions offline.

    EXPR is a PQL expression, or - to read it from standard input.

    \b
    Examples:
      segctl pql parse 'person.gender in ["female"] AND homeAddress.countryISO = "US"'
      segctl pql convert --to json 'workAddress.country = "US"'
      echo '{"nodeType":"fnApply", ...}' | segctl pql convert --to text -
    """


@pql.command("parse", short_help="Check EXPR and print its canonical pql/text.")
@click.argument("expr")
def parse_command(expr: str) -> None:
    """Check EXPR and print its canonical pql/text (exit 1 with the position if invalid).

    The checks are those of `segctl validate`: the syntax, then every function and method
    call (unknown names, wrong number of arguments, decisioning-only functions), located at
    the call.

    \b
    Examples:
      segctl pql parse 'person.gender="female" AND homeAddress.countryCode = "US"'
      echo 'person.age > 30' | segctl pql parse -
      segctl pql parse 'person.name.bogus(1)'    # <expr>:1:13: error: unknown method .bogus()
    """
    text, name = read_expression(expr)
    tree = parse(text, file=name)
    check(tree, text, file=name)
    click.echo(terminal(to_text(tree)))


@pql.command("convert", short_help="Convert EXPR between pql/text and pql/json.")
@click.option("--to", "target", type=click.Choice(["json", "text"]), required=True,
              help="Output format: pql/json (indented) or canonical pql/text.")
@click.argument("expr")
def convert_command(target: str, expr: str) -> None:
    """Convert EXPR between pql/text and pql/json (the input format is detected).

    JSON uses Adobe's node types where Adobe published them; constructs without a public
    encoding (occurs, chain, let, ...) are fnApply nodes marked with a "segctl" key.

    \b
    Examples:
      segctl pql convert --to json 'workAddress.country = "US"'
      segctl pql convert --to text - < rule.json
    """
    tree = read_any(expr)
    if target == "json":
        click.echo(terminal(json.dumps(to_json(tree), indent=2, ensure_ascii=False)))
    else:
        click.echo(terminal(to_text(tree)))


# ---- `segctl pql eval` ----------------------------------------------------------------------
# Reads a profile (and events) file and runs the compiled predicate. Files are read here, at the
# edge; segctl.pql.compile stays pure.


def _load_json_file(path: str) -> tuple[object, str]:
    """(decoded JSON, raw text); a located SegctlError when unreadable or not JSON."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as err:
        raise SegctlError(f"cannot read {path}: {err.strerror or err}",
                          location=Location(file=path)) from None
    try:
        return json.loads(text), text
    except json.JSONDecodeError as err:
        if err.msg == "Extra data":  # maybe NDJSON; the caller decides
            return _NDJSON, text
        raise SegctlError(f"invalid JSON: {err.msg}", location=_json_location(path, text, err)
                          ) from None


_NDJSON = object()


def _json_location(path: str, text: str, err: json.JSONDecodeError) -> Location:
    lines = text.splitlines()
    source = lines[err.lineno - 1] if 0 < err.lineno <= len(lines) else None
    return Location(file=path, line=err.lineno, col=err.colno,
                    source_line=source)


def _read_profile(path: str) -> tuple[dict[str, object], list[object] | None]:
    """The profile object; ``{"profile": {...}, "events": [...]}`` (PQL.md §11) also works."""
    doc, _ = _load_json_file(path)
    if doc is _NDJSON or not isinstance(doc, dict):
        raise SegctlError("the profile file must hold one JSON object",
                          location=Location(file=path, line=1, col=1))
    inner = doc.get("profile")
    if isinstance(inner, dict) and set(doc) <= {"profile", "events"}:
        events = doc.get("events")
        if events is not None and not isinstance(events, list):
            raise SegctlError('"events" must be an array', location=Location(file=path))
        return inner, events
    return doc, None


def _read_events(path: str) -> list[object]:
    """A JSON array of event objects, or NDJSON (one event object per line)."""
    doc, text = _load_json_file(path)
    if doc is _NDJSON:
        events: list[object] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise SegctlError(f"invalid JSON: {err.msg}", location=Location(
                    file=path, line=number, col=err.colno, source_line=line)) from None
    elif isinstance(doc, list):
        events = doc
    else:
        raise SegctlError("the events file must hold a JSON array or one event object per "
                          "line (NDJSON)", location=Location(file=path, line=1, col=1))
    for index, event in enumerate(events):
        if not isinstance(event, dict):
            raise SegctlError(f"event {index + 1} is not a JSON object",
                              location=Location(file=path))
    return events


def _parse_now(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        now = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--now: {text!r} is not an ISO-8601 date-time",
                         location=Location(file="--now", line=1, col=1, source_line=text),
                         hint="for example --now 2024-03-15T12:00:00Z") from None
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


def _jsonable(value: object) -> object:
    if isinstance(value, TimeValue):
        return value.to_json()
    if isinstance(value, MapEntry):
        return {"key": _jsonable(value.key), "value": _jsonable(value.value)}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k if isinstance(k, str) else json.dumps(_jsonable(k)): _jsonable(v)
                for k, v in value.items()}
    return value


@pql.command("eval")
@click.argument("expr")
@click.option("--profile", "profile_path", required=True, metavar="FILE",
              help='Profile JSON object (or {"profile": {...}, "events": [...]}).')
@click.option("--events", "events_path", metavar="FILE",
              help="ExperienceEvents: a JSON array or NDJSON, one event per line.")
@click.option("--now", "now_text", metavar="ISO8601",
              help="Evaluation time (default: the current UTC time); naive times are UTC.")
@click.option("--in-segment", "segments", multiple=True, metavar="ID",
              help="Answer inSegment(ID) true (repeatable; ID may be key:NAME); default: the "
                   "profile's segmentMembership map.")
@click.option("--project", "project_dir", type=click.Path(exists=True, path_type=Path),
              metavar="DIR",
              help='Resolve inSegment("key:NAME") by evaluating that segment of the project '
                   "for the same profile (as segctl test does).")
def eval_command(expr: str, profile_path: str, events_path: str | None, now_text: str | None,
                 segments: tuple[str, ...], project_dir: Path | None) -> None:
    """Evaluate EXPR against one profile and its events.

    Prints true/false for a condition, or the value as JSON. Exits 1 with a located
    error for invalid PQL, an unreadable or malformed file, or a bad --now.

    inSegment("key:NAME") names a segment of a project: give --project to evaluate it, or
    --in-segment key:NAME to say the profile is a member; otherwise it reads as false, and a
    warning says so.

    \b
    Examples:
      segctl pql eval 'exists X from xEvent where X.timestamp occurs today' \\
          --profile alice.json --events alice-events.ndjson --now 2024-03-15T12:00:00Z
      segctl pql eval 'inSegment("key:female-customers")' --profile alice.json \\
          --project segments
    """
    now = _parse_now(now_text)
    tree = read_any(expr)
    predicate = compile_pql(tree)
    profile, embedded = _read_profile(profile_path)
    events = _read_events(events_path) if events_path else (embedded or [])
    member = _membership(tree, segments, project_dir, profile, events, now)
    result = predicate.evaluate(profile, events, now, member)  # type: ignore[arg-type]
    if result is True or result is False:
        click.echo("true" if result else "false")
    else:
        click.echo(terminal(json.dumps(_jsonable(result), ensure_ascii=False)))


def _membership(tree: Expr, given: tuple[str, ...], project_dir: Path | None,
                profile: dict[str, object], events: list[object], now: datetime
                ) -> Callable[[str], bool] | None:
    """How inSegment is answered: --in-segment ids first, then the project's segments for
    key: references; warns about key: references nothing can answer."""
    explicit = set(given)
    keys = sorted(r for r in segment_refs(tree) if r.startswith("key:") and r not in explicit)
    if project_dir is None:
        if keys:
            names = ", ".join(f'inSegment("{k}")' for k in keys)
            click.echo(f"warning: {names} cannot be resolved without a project and read(s) as "
                       f"false; pass --project DIR to evaluate the segment, or --in-segment "
                       f"{keys[0]} to make the profile a member", err=True)
        return explicit.__contains__ if explicit else None
    from segctl.project import load_project
    from segctl.testing import FixtureProfile, SegmentEngine

    project = load_project(project_dir)
    declared = {s.key for s in project.segments}
    unknown = [k for k in keys if k[len("key:"):] not in declared]
    if unknown:
        raise UsageError(f"{', '.join(unknown)}: no such segment in {project_dir}",
                         hint=f"declared keys: {', '.join(sorted(declared)) or 'none'}")
    fixture = FixtureProfile("pql-eval", profile,
                             tuple(e for e in events if isinstance(e, dict)))
    answer = SegmentEngine(project.segments).membership(fixture, now)
    return lambda ref: ref in explicit or answer(ref)

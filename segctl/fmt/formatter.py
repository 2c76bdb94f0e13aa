"""Canonical formatting of segctl YAML files (``segctl fmt``).

Per document: ``pql`` of a Segment becomes canonical PQL (a ``|`` block scalar when long), the
top-level keys take the stable order of :mod:`segctl.fmt.keyorder`, and everything else is left
as ruamel's round trip writes it, comments included. Formatting is idempotent: a formatted file
formats to itself.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString, ScalarString

from segctl import pql
from segctl.errors import Location, SegctlError
from segctl.fmt.fastpath import already_canonical
from segctl.fmt.keyorder import ordered_keys
from segctl.fmt.pqllayout import layout
from segctl.fmt.reorder import KeySpan, reorder
from segctl.project import project_files
from segctl.project.source import Diagnostic, SourceFile, read_source
from segctl.project.yamlread import parse_documents

#: PQL longer than this is written as a ``|`` block scalar, broken into lines
PQL_INLINE_MAX = 80
#: the fields holding PQL text, by document kind
PQL_KEYS_BY_KIND: dict[str, tuple[str, ...]] = {"Segment": ("pql",)}

_SEPARATOR = re.compile(r"^(---|\.\.\.)[ \t]*(#.*)?$")


class FormatError(SegctlError):
    """A file that cannot be formatted (YAML or PQL syntax error)."""


class FormatCheckFailed(SegctlError):
    """``fmt --check`` found files to reformat, or files could not be formatted (exit 1)."""

    def format(self) -> str:
        return self.message  # the summary line; the files were already named


@dataclass(frozen=True)
class FormatResult:
    """One file: its text before and after formatting."""

    path: Path
    original: str
    formatted: str

    @property
    def changed(self) -> bool:
        return self.original != self.formatted


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never re-wrap the user's long strings
    return yaml


def _split_documents(text: str) -> list[tuple[int, str, str]]:
    """(first line number, separator line or "", body) for each document, in order."""
    parts: list[tuple[int, str, str]] = []
    separator, start = "", 0
    body: list[str] = []
    for number, line in enumerate(text.splitlines(keepends=True)):
        if _SEPARATOR.match(line.rstrip("\r\n")):
            parts.append((start, separator, "".join(body)))
            separator, body, start = line, [], number + 1
        else:
            body.append(line)
    parts.append((start, separator, "".join(body)))
    return parts


def pql_scalar(text: str) -> str:
    """The YAML scalar for canonical PQL ``text``: plain when short, else a laid-out ``|`` block.

    The layout only moves whitespace between tokens; it is checked to parse back to the same
    canonical text (else the single line is kept).
    """
    if "\n" not in text and len(text) <= PQL_INLINE_MAX:
        return text
    laid_out = layout(text)
    try:
        same = pql.canonical(laid_out) == text
    except SegctlError:
        same = False
    return LiteralScalarString((laid_out if same else text) + "\n")


def _pql_text(value: str) -> str | None:
    """The text ``fmt`` writes for the PQL ``value`` (None when it is not valid PQL)."""
    try:
        return str(pql_scalar(pql.canonical(value)))
    except SegctlError:
        return None


def pql_lines(text: str) -> list[str]:
    """Canonical PQL ``text`` as ``fmt`` lays it out in a file, one string per line (for
    line-by-line diffs of rules)."""
    return str(pql_scalar(text)).splitlines() or [""]


def _line(text: str, index: int) -> str | None:
    lines = text.splitlines()
    return lines[index] if 0 <= index < len(lines) else None


def _format_pql(doc: CommentedMap, kind: str, file: str, offset: int, body: str) -> None:
    for field in PQL_KEYS_BY_KIND.get(kind, ()):
        value = doc.get(field)
        if not isinstance(value, str):
            continue
        try:
            canonical = pql.canonical(str(value))
        except SegctlError as err:
            line, col = doc.lc.value(field)
            inner = getattr(err, "location", None)
            at = ""
            if inner is not None and inner.line is not None:
                at = f" (PQL line {inner.line}, column {inner.col})"
                if inner.line == 1 and type(value) is str and inner.col is not None:
                    col += inner.col - 1  # plain scalar on the key's line: point at the error
            raise FormatError(
                f"{field}: {err.message}{at}",
                location=Location(file, offset + line + 1, col + 1, _line(body, line)),
                hint="fix the PQL (segctl validate shows the exact position), then run fmt again",
            ) from err
        # CommentedMap.__setitem__ would keep the old scalar style; comments stay (keyed by field)
        scalar = pql_scalar(canonical)
        super(CommentedMap, doc).__setitem__(field, scalar)
        if isinstance(scalar, LiteralScalarString):
            _comment_to_header(doc, field, scalar, body)


def _trailing_comment(doc: CommentedMap, key: Any) -> tuple[str, int] | None:
    """The one-line comment after ``key``'s value (``# text``) and its line, if there is one."""
    slots = doc.ca.items.get(key)
    token = slots[2] if slots and len(slots) > 2 else None
    value = getattr(token, "value", None)
    if token is None or not isinstance(value, str) or value.count("\n") > 1 \
            or not value.startswith("#"):
        return None
    line = int(token.start_mark.line)
    if line != doc.lc.key(key)[0]:
        return None  # a comment line below the value (after a block scalar), not beside it
    return value.rstrip("\n"), line


def _gap_before(body: str, line: int, comment: str) -> int:
    """How many blanks separate the value from ``comment`` on ``line`` of ``body`` (1 when the
    line cannot be read back)."""
    text = _line(body, line) or ""
    if not text.endswith(comment):
        return 1
    head = text[: -len(comment)]
    return max(1, len(head) - len(head.rstrip(" \t")))


def _comment_to_header(doc: CommentedMap, field: str, scalar: LiteralScalarString,
                       body: str) -> None:
    """A trailing comment of a value that became a ``|`` block goes on the block's header line
    (``pql: |  # why``), with its original gap; ruamel would put it below the block."""
    found = _trailing_comment(doc, field)
    if found is None:
        return
    comment, line = found
    header = " " * _gap_before(body, line, comment) + comment
    scalar.comment = header  # type: ignore[attr-defined]
    doc.ca.items[field] = [None, None, None, [header]]


def _comment_gaps(doc: CommentedMap, body: str) -> dict[str, tuple[str, int]]:
    """Top-level key -> (its trailing comment, the blanks before it in the source)."""
    gaps = {}
    for key in doc:
        found = _trailing_comment(doc, key)
        if found is not None:
            comment, line = found
            gaps[str(key)] = (comment, _gap_before(body, line, comment))
    return gaps


def _restore_gaps(text: str, gaps: dict[str, tuple[str, int]]) -> str:
    """Put back the source's spacing before each top-level trailing comment (ruamel keeps the
    comment's column instead, so a value that got shorter or longer moved its comment)."""
    if not gaps:
        return text
    lines = text.split("\n")
    for number, line in enumerate(lines):
        key = line.split(":", 1)[0]
        if key not in gaps or line[:1].isspace():
            continue
        comment, gap = gaps[key]
        if line.endswith(comment):
            head = line[: -len(comment)].rstrip(" \t")
            if head and not head.endswith(":"):
                lines[number] = head + " " * gap + comment
    return "\n".join(lines)


def _spans(doc: CommentedMap) -> list[KeySpan]:
    spans = []
    for key in doc:
        line, _ = doc.lc.key(key)
        block = isinstance(doc[key], ScalarString) and type(doc[key]).__name__ in (
            "LiteralScalarString", "FoldedScalarString",
        )
        spans.append(KeySpan(str(key), line, block))
    return spans


def _format_document(body: str, file: str, offset: int) -> str:
    try:
        return _format_loaded(body, file, offset)
    except (YAMLError, ValueError, TypeError, KeyError, IndexError, RecursionError) as err:
        # what ruamel alone refuses, on reading or on reading back its own output (the project
        # loader's checks ran first and found nothing): located at the document's start
        where = Location(file, offset + 1, 1, _line(body, 0))
        first = (str(err).splitlines() or [type(err).__name__])[0][:200]
        raise FormatError(f"cannot format this document: {first}", location=where) from err


def _format_loaded(body: str, file: str, offset: int) -> str:
    yaml = _yaml()
    try:
        doc: Any = yaml.load(body)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = (Location(file, offset + mark.line + 1, mark.column + 1, _line(body, mark.line))
                 if mark else Location(file))
        raise FormatError(f"YAML syntax error: {err.problem or err}", location=where) from err
    if not isinstance(doc, CommentedMap):
        return body  # empty, comments only, or not a mapping: nothing to order
    kind = doc.get("kind")
    kind = kind if isinstance(kind, str) else None
    gaps = _comment_gaps(doc, body)
    _format_pql(doc, kind or "", file, offset, body)
    out = io.StringIO()
    yaml.dump(doc, out)
    # ruamel ends a document whose last value is a ``|+`` scalar with "...": not needed (the
    # user's own document markers are kept as separators by _split_documents)
    dumped = out.getvalue()
    if dumped.endswith("\n...\n"):
        dumped = dumped[: -len("...\n")]
    if doc.fa.flow_style():
        return dumped
    reread: CommentedMap = _yaml().load(dumped)
    order = ordered_keys(kind, [str(k) for k in reread])
    return _restore_gaps(reorder(dumped, _spans(reread), order), gaps)


def _settled(body: str, file: str, offset: int) -> str:
    """Format until nothing changes (a second pass is a no-op in every case we know of; the
    loop guards idempotency against ruamel layout choices that depend on key position)."""
    current = _format_document(body, file, offset)
    if current == body:
        return body  # formatting it again would change nothing again
    for _ in range(3):
        again = _format_document(current, file, offset)
        if again == current:
            break
        current = again
    return current


def format_source(text: str, file: str = "<input>") -> str:
    """The formatted text of one YAML file (several documents allowed)."""
    _refuse_hostile(SourceFile(Path(file), file, file, text.encode(), text,
                               tuple(text.split("\n"))))
    pieces: list[str] = []
    for offset, separator, body in _split_documents(text):
        if not body.strip() or already_canonical(body, ordered_keys, PQL_KEYS_BY_KIND,
                                                 _pql_text):
            formatted = body
        else:
            formatted = _settled(body, file, offset)
        if formatted and not formatted.endswith("\n"):
            formatted += "\n"
        pieces.append(separator + formatted)
    return "".join(pieces)


def format_file(path: Path) -> FormatResult:
    """Read and format one file (nothing is written)."""
    source = read_source(path, path.parent)
    if isinstance(source, Diagnostic):  # unreadable, or bytes that do not decode (located)
        raise FormatError(source.message, location=source.location)
    return FormatResult(path, source.text, format_source(source.text, str(path)))


def _refuse_hostile(source: SourceFile) -> None:
    """Refuse what the project loader refuses at the YAML level (bad characters, alias cycles
    and bombs, deep nesting, bad tagged values), located, before ruamel reads the text."""
    for item in parse_documents(source):
        if isinstance(item, Diagnostic) and item.severity == "error":
            raise FormatError(item.message, location=item.location)


def format_paths(paths: Sequence[Path]) -> tuple[list[FormatResult], list[FormatError]]:
    """Format every YAML file under ``paths`` (each file once, however often it is named):
    the results, and the files that failed."""
    results: list[FormatResult] = []
    errors: list[FormatError] = []
    seen: set[Path] = set()
    for root in paths:
        if not root.exists():
            raise SegctlError(f"no such file or directory: {root}")
        for file in project_files(root):
            if file.resolve() in seen:
                continue
            seen.add(file.resolve())
            try:
                results.append(format_file(file))
            except FormatError as err:
                errors.append(err)
    return results, errors


def write_results(results: Sequence[FormatResult]) -> list[Path]:
    """Write the changed files back; returns their paths."""
    written = []
    for result in results:
        if result.changed:
            result.path.write_text(result.formatted, encoding="utf-8")
            written.append(result.path)
    return written

"""The one exception root of segctl.

Every error a user can cause or meet derives from :class:`SegctlError`. Each class owns its exit
code and knows how to print itself, so ``cli.main`` is the single place that catches and exits
(the click ``exceptions.py`` pattern). Foreign exceptions (httpx, yaml, jsonschema) are translated
into these at the module boundary that meets them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2

#: source lines longer than this are shown as a window around the caret
EXCERPT_WIDTH = 120
# controls and bidi overrides in a shown source line become U+FFFD one for one, so the caret
# stays under its character and the terminal does not act on them (the full escaping of
# user text lives in segctl.render.escape; this module is below it and cannot import it)
_UNSHOWABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
                         "\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Location:
    """Where a problem is: 1-based line and column, plus the offending source line if known."""

    file: str | None = None
    line: int | None = None
    col: int | None = None
    source_line: str | None = None

    def __str__(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)

    def excerpt(self) -> str:
        """The source line with a caret under the column, or "" when unknown."""
        if self.source_line is None:
            return ""
        line = _UNSHOWABLE.sub("\ufffd", self.source_line.rstrip("\n"))
        col = self.col
        if len(line) > EXCERPT_WIDTH:  # a window around the caret, marked with "..."
            start = max(0, min((col or 1) - 1 - EXCERPT_WIDTH // 2, len(line) - EXCERPT_WIDTH))
            end = start + EXCERPT_WIDTH
            line = ("..." if start else "") + line[start:end] + ("..." if end < len(line) else "")
            if col is not None:
                col = col - start + (3 if start else 0)
        caret = ""
        if col is not None and col >= 1:
            prefix = line[: col - 1]
            caret = "\n    " + "".join("\t" if c == "\t" else " " for c in prefix) + "^"
        return "    " + line + caret


@dataclass(frozen=True)
class Diagnostic:
    """One located problem; validation collects many before failing."""

    message: str
    location: Location = Location()
    severity: str = "error"  # "error" | "warning"

    def format(self) -> str:
        head = f"{self.location}: {self.severity}: {self.message}"
        excerpt = self.location.excerpt()
        return f"{head}\n{excerpt}" if excerpt else head


class SegctlError(Exception):
    """Root of every segctl error. ``exit_code`` is what the CLI exits with."""

    exit_code: int = EXIT_ERROR

    def __init__(self, message: str, *, location: Location | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint

    def format(self) -> str:
        """Human-readable text for stderr (no traceback)."""
        if self.location is not None:
            text = Diagnostic(self.message, self.location).format()
        else:
            text = f"error: {self.message}"
        if self.hint:
            text += f"\nhint: {self.hint}"
        return text


class UsageError(SegctlError):
    """Bad command-line input: a missing path, conflicting options."""


class ValidationError(SegctlError):
    """One or more located problems in the user's files; nothing is applied."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        errors = [d for d in diagnostics if d.severity == "error"]
        super().__init__(f"{len(errors)} problem(s) found")
        self.diagnostics = tuple(diagnostics)

    def format(self) -> str:
        lines = [d.format() for d in self.diagnostics]
        lines.append(f"error: {self.message}")
        return "\n".join(lines)


class ConfigError(SegctlError):
    """Missing or inconsistent configuration (credentials, environment selection)."""

"""Every PQL error, under one root :class:`PqlError` (a :class:`SegctlError`): text that does not
parse, pql/json that is not a PQL tree, trees that cannot be evaluated, and calls AEP refuses.
:func:`locate` turns a character offset into the :class:`Location` each of them carries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from segctl.errors import Location, SegctlError

if TYPE_CHECKING:
    from segctl.pql.ast import Node


class PqlError(SegctlError):
    """Root of the PQL errors: ``except PqlError`` catches each of them."""


class PqlSyntaxError(PqlError):
    """A PQL text that does not parse; ``location`` carries line, column and the source line."""

    def __init__(
        self, message: str, *, location: Location | None = None, hint: str | None = None,
        offset: int | None = None,
    ):
        super().__init__(message, location=location, hint=hint)
        self.offset = offset

    @property
    def line(self) -> int | None:
        return self.location.line if self.location else None

    @property
    def col(self) -> int | None:
        return self.location.col if self.location else None

    @classmethod
    def at(
        cls, text: str, offset: int, message: str, *, file: str | None = None,
        first_line: int = 1, first_col: int = 1, hint: str | None = None,
    ) -> PqlSyntaxError:
        """An error at character ``offset`` of ``text``.

        ``first_line``/``first_col`` say where ``text`` starts in its file, so a PQL string
        embedded in YAML reports the position in the YAML file.
        """
        return cls(message, location=locate(text, offset, file=file, first_line=first_line,
                                            first_col=first_col), hint=hint, offset=offset)


class PqlJsonError(PqlSyntaxError):
    """A pql/json document that is not valid JSON or not a PQL tree (message names the path).

    ``pointer`` is the JSON pointer of the offending node, when the problem is in the tree.
    """

    def __init__(
        self, message: str, *, location: Location | None = None, hint: str | None = None,
        pointer: str | None = None,
    ):
        super().__init__(message, location=location, hint=hint)
        self.pointer = pointer


class PqlEvalError(PqlError):
    """An expression that parses but cannot be evaluated (unknown function, bad arity...).

    ``node`` is the innermost tree node the compiler refused, for :func:`pql.check` to locate.
    """

    node: Node | None = None


class PqlCallError(PqlEvalError):
    """A call AEP would refuse; ``offset`` is its character offset in the PQL text, if known."""

    def __init__(self, message: str, *, location: Location | None = None,
                 offset: int | None = None):
        super().__init__(message, location=location)
        self.offset = offset


def locate(
    text: str, offset: int, *, file: str | None = None, first_line: int = 1, first_col: int = 1
) -> Location:
    """The :class:`Location` of character ``offset`` in ``text`` (1-based line and column)."""
    offset = max(0, min(offset, len(text)))
    if offset == len(text) and text.endswith("\n"):
        offset -= 1  # "unexpected end": point after the last character, not at a blank line
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    if line_end < 0:
        line_end = len(text)
    line_index = text.count("\n", 0, offset)
    col = offset - line_start + 1
    source_line = text[line_start:line_end]
    if line_index == 0 and first_col > 1:
        # keep the caret under the right character of the padded line
        col += first_col - 1
        source_line = " " * (first_col - 1) + source_line
    return Location(file=file, line=first_line + line_index, col=col, source_line=source_line)

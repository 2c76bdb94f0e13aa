"""PQL tokenizer (PQL.md §3): one compiled master regex, one pass, no backtracking in Python.

Token kinds: ``int``, ``float``, ``string``, ``ident``, ``param`` (``$1``), ``context``
(``@{...}``/``@event{...}``), ``eof``, and for punctuation the punctuation text itself
(``"("``, ``"=>"``, ``"<="`` ...), so the parser compares ``kind`` only.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

from segctl.pql.errors import PqlSyntaxError


class Token(NamedTuple):
    """One lexeme: ``kind``, decoded ``value``, keyword (lower case) or None, source span."""

    kind: str
    value: object
    keyword: str | None
    start: int
    end: int


#: words with a grammatical role; matched case-insensitively (``AND``, ``FROM``, ``What``)
KEYWORDS: frozenset[str] = frozenset({
    "and", "or", "not", "in", "notin", "like", "matches", "occurs", "between", "on",
    "select", "from", "where", "exists", "forall", "some", "all", "over",
    "sum", "average", "min", "max", "let", "true", "false", "xevent", "this", "chain", "date",
    "now", "today", "yesterday", "tomorrow", "last", "next", "before", "after",
})
#: keywords that can never be a bare field name
RESERVED: frozenset[str] = frozenset({
    "and", "or", "not", "in", "notin", "like", "matches", "occurs", "select", "from", "where",
    "exists", "forall", "over", "let", "true", "false", "xevent", "this",
    "now", "today", "yesterday", "tomorrow",
})

IDENT_PATTERN = r"(?:xdm:@?)?[A-Za-z_][A-Za-z0-9_]*"
IDENT_RE = re.compile(IDENT_PATTERN + r"\Z")

_MASTER = re.compile(
    r"""
    (?P<ws>\s+)
   |(?P<float>(?:\d+\.\d+|\.\d+)(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+)
   |(?P<int>\d+)
   |(?P<dstring>"(?:[^"\\]|\\.)*")
   |(?P<sstring>'(?:[^'\\]|\\.)*')
   |(?P<ident>""" + IDENT_PATTERN + r""")
   |(?P<param>\$\d+)
   |(?P<context>@(?:event)?\{[^{}]*\})
   |(?P<op>=>|!=|<=|>=|[.,:()\[\]{}^=<>+\-*/%!])
   |(?P<bad>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f",
                   '"': '"', "'": "'", "\\": "\\", "/": "/"}


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if len(code) == 5:
        return chr(int(code[1:], 16))
    # unknown escapes keep their backslash, so "\w" and "\\w" both reach a regex as \w
    return _SIMPLE_ESCAPES.get(code, "\\" + code)


def decode_string(body: str) -> str:
    """The value of a quoted literal's body (between the quotes)."""
    return _ESCAPE.sub(_unescape, body) if "\\" in body else body


def tokenize(text: str, *, file: str | None = None, first_line: int = 1,
             first_col: int = 1) -> list[Token]:
    """All tokens of ``text`` followed by an ``eof`` token; raises :class:`PqlSyntaxError`."""
    tokens: list[Token] = []
    append = tokens.append
    for match in _MASTER.finditer(text):
        kind = match.lastgroup
        start, end = match.span()
        if kind == "ws":
            continue
        lexeme = match.group()
        if kind == "ident":
            lower = lexeme.lower()
            append(Token("ident", lexeme, lower if lower in KEYWORDS else None, start, end))
        elif kind == "op":
            append(Token(lexeme, lexeme, None, start, end))
        elif kind == "dstring" or kind == "sstring":
            append(Token("string", decode_string(lexeme[1:-1]), None, start, end))
        elif kind == "int":
            append(Token("int", int(lexeme), None, start, end))
        elif kind == "float":
            value = float(lexeme)
            if not math.isfinite(value):
                raise PqlSyntaxError.at(text, start, f"number {lexeme} is out of range",
                                        file=file, first_line=first_line, first_col=first_col)
            append(Token("float", value, None, start, end))
        elif kind == "param":
            append(Token("param", int(lexeme[1:]), None, start, end))
        elif kind == "context":
            brace = lexeme.index("{")
            append(Token("context", (lexeme[1:brace], lexeme[brace + 1:-1]), None, start, end))
        else:
            raise PqlSyntaxError.at(text, start, _bad_char_message(lexeme), file=file,
                                    first_line=first_line, first_col=first_col)
    tokens.append(Token("eof", None, None, len(text), len(text)))
    return tokens


def _bad_char_message(char: str) -> str:
    if char in "\"'":
        return f"unterminated string (missing closing {char})"
    if char == "@":
        return "malformed context reference (expected @{...} or @event{...})"
    if char == "$":
        return "expected a parameter number after $ (e.g. $1)"
    return f"unexpected character {char!r}"

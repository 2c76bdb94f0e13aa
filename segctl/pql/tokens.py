"""PQL tokenizer (PQL.md §3): one compiled master regex, one pass, no backtracking in Python.

Token kinds: ``int``, ``float``, ``string``, ``ident``, ``param`` (``$1``), ``context``
(``@{...}``/``@event{...}``), ``eof``, and for punctuation the punctuation text itself
(``"("``, ``"=>"``, ``"<="`` ...), so the parser compares ``kind`` only.
"""

from __future__ import annotations

import math
import re
from typing import Any, NamedTuple

from segctl.pql.errors import PqlSyntaxError
from segctl.pql.limits import MAX_DIGITS


class Token(NamedTuple):
    """One lexeme: ``kind``, decoded ``value``, keyword (lower case) or None, source span.

    ``value`` is the text of ``ident`` and punctuation tokens, the decoded string of
    ``string``, the number of ``int``/``float``/``param``, and (kind, ref) of ``context``.
    """

    kind: str
    value: Any
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

_KEYWORD_OF: dict[str, str] = {word: word for word in KEYWORDS}

IDENT_PATTERN = r"(?:xdm:@?)?[A-Za-z_][A-Za-z0-9_]*"
IDENT_RE = re.compile(IDENT_PATTERN + r"\Z")

# One compiled regex, run by ``findall`` in C: each match is (leading whitespace, lexeme), so
# no Match objects are built and offsets are a running sum. Alternatives are ordered by
# frequency; float precedes the operators so that ".45" is a number, not a dot; ``\S`` last
# catches every stray character (an unterminated quote included) for a positioned error.
_MASTER = re.compile(
    r"""(\s*)(
     """ + IDENT_PATTERN + r"""
    |(?:\d+\.\d+|\.\d+)(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+
    |=>|!=|<=|>=|[.,:()\[\]{}^=<>+\-*/%!]
    |"(?:[^"\\]|\\.)*"
    |'(?:[^'\\]|\\.)*'
    |\$\d+
    |@(?:event)?\{[^{}]*\}
    |\S)
    """,
    re.VERBOSE | re.DOTALL,
)
_OPERATORS = frozenset({"=>", "!=", "<=", ">=", *".,:()[]{}^=<>+-*/%!"})
#: token class by first character of the lexeme
_CLASS_OF_FIRST: dict[str, str] = {
    **{c: "ident" for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"},
    **{c: "number" for c in "0123456789"},
    **{c: "op" for c in _OPERATORS if len(c) == 1},
    "=": "op", "!": "op", "<": "op", ">": "op",
    '"': "string", "'": "string", "$": "param", "@": "context",
}
_CLASS_OF_FIRST["."] = "dot"
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
    """All tokens of ``text`` followed by ``eof`` tokens; raises :class:`PqlSyntaxError`."""
    tokens: list[Token] = []
    append = tokens.append
    make = tuple.__new__  # skips NamedTuple's Python-level __new__: tokens are the hot path
    keywords = _KEYWORD_OF
    classes = _CLASS_OF_FIRST
    end = 0
    for space, lexeme in _MASTER.findall(text):
        start = end + len(space)
        end = start + len(lexeme)
        cls = classes.get(lexeme[0])
        if cls == "ident":
            append(make(Token, ("ident", lexeme, keywords.get(lexeme.lower()), start, end)))
        elif cls == "op" or (cls == "dot" and len(lexeme) == 1):
            append(make(Token, (lexeme, lexeme, None, start, end)))
        elif cls == "number" or cls == "dot":
            if "." in lexeme or "e" in lexeme or "E" in lexeme:
                value = float(lexeme)
                if not math.isfinite(value):
                    raise PqlSyntaxError.at(text, start, f"number {_clip(lexeme)} is out of range",
                                            file=file, first_line=first_line,
                                            first_col=first_col)
                append(make(Token, ("float", value, None, start, end)))
            elif len(lexeme) > MAX_DIGITS:
                raise PqlSyntaxError.at(
                    text, start, f"integer literal of {len(lexeme)} digits is too long "
                    f"(at most {MAX_DIGITS})", file=file, first_line=first_line,
                    first_col=first_col)
            else:
                append(make(Token, ("int", int(lexeme), None, start, end)))
        elif cls == "string" and len(lexeme) > 1:
            append(make(Token, ("string", decode_string(lexeme[1:-1]), None, start, end)))
        elif cls == "param" and len(lexeme) > 1:
            if len(lexeme) > 10:
                raise PqlSyntaxError.at(text, start, f"parameter {_clip(lexeme)} is out of range",
                                        file=file, first_line=first_line, first_col=first_col)
            append(make(Token, ("param", int(lexeme[1:]), None, start, end)))
        elif cls == "context" and len(lexeme) > 1:
            brace = lexeme.index("{")
            append(make(Token, ("context", (lexeme[1:brace], lexeme[brace + 1:-1]), None,
                                start, end)))
        else:
            raise PqlSyntaxError.at(text, start, _bad_char_message(lexeme), file=file,
                                    first_line=first_line, first_col=first_col)
    eof = Token("eof", None, None, len(text), len(text))
    tokens += (eof, eof, eof)  # lookahead past the end never needs a bounds check
    return tokens


def _clip(lexeme: str) -> str:
    """A lexeme short enough to quote in a message (the caret shows where it is)."""
    return lexeme if len(lexeme) <= 24 else lexeme[:20] + "..."


def _bad_char_message(char: str) -> str:
    if char in "\"'":
        return f"unterminated string (missing closing {char})"
    if char == "@":
        return "malformed context reference (expected @{...} or @event{...})"
    if char == "$":
        return "expected a parameter number after $ (e.g. $1)"
    return f"unexpected character {char!r}"

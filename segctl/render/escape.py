"""User text, escaped for the place it lands: terminals, markdown, HTML in markdown, code, mermaid.

Every name, description, key, dataset name, label, PQL text and error message a rendering
shows is user text (or comes back from a sandbox someone else controls). It must reach the
reader as text, never as structure: not a heading, link, image, HTML, @mention or the end of a
code block in a pull-request comment, and not a cursor movement, colour or hidden line in a
terminal. Each function below is for one context; pick the one for where the text lands:

=========================  ====================================================================
``terminal(text)``         text printed to a terminal (keeps newlines and tabs)
``terminal_line(text)``    one line in a terminal (line breaks shown as ``\\n``)
``terminal_safe(value)``   every string of a plan or report rendered for a terminal
``md(text)``               markdown inline text: paragraphs, list items, emphasis, table cells
``html(text)``             text inside raw HTML in markdown (``<summary>``, ``<b>``, ``<td>``)
``html_lines(text)``       lines of text inside an HTML ``<pre>`` block in markdown
``code(text)``             an inline code span, backticks included
``fence(body, info)``      a fenced code block, fences included
``mermaid(text)``          a quoted mermaid node label (``id["..."]``)
=========================  ====================================================================

GitHub adds to CommonMark: @mentions, ``#123`` references and bare-URL autolinks. They are
broken with an invisible U+2060 WORD JOINER after ``@`` and ``#`` and inside ``://`` and
``www.`` (as Renovate and Dependabot do), so the text reads the same and links nothing.
"""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass, replace
from enum import Enum
from typing import TypeVar

__all__ = ["code", "fence", "html", "html_lines", "md", "mermaid", "terminal", "terminal_line",
           "terminal_safe"]

_T = TypeVar("_T")

#: invisible, zero-width, and not a word character: breaks mentions and autolinks
JOINER = "\u2060"

# C0 and C1 controls (ESC, CSI, BEL, backspace, carriage return ...), DEL, and the Unicode
# bidirectional overrides and isolates ("Trojan Source", CVE-2021-42574)
_TERMINAL_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_LINE_UNSAFE = re.compile(_TERMINAL_UNSAFE.pattern[:-1] + "\n\t]")
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029\x85\x0b\x0c]")
# always special inline; the others ("-", "+", "1.") only where a line starts, handled below
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&!#|~])")
_MD_LINE_START = re.compile(r"^(?:[-+=]|\d+[.)])")
_AUTOLINKS = re.compile(r"(?i)(@|#|:(?=//)|www(?=\.))")
_BACKTICKS = re.compile(r"`+")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char) or (
        f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def terminal(text: str) -> str:
    """``text`` with every control and bidi character shown as an escape (``\\x1b``).

    Newlines and tabs are kept, so multi-line messages still read as lines.
    """
    return _TERMINAL_UNSAFE.sub(_visible, text)


def terminal_safe(value: _T) -> _T:
    """``value`` with :func:`terminal` applied to every string in it, at any depth.

    For frozen dataclasses (a plan, an apply report), tuples, lists and dicts; enums and other
    values are kept. Renderers for terminals pass their input through it once, so no field
    (today's or one added later) can reach the screen with a control sequence in it. A part
    with nothing to escape is returned as it is (the same object), so a plan of clean text
    (nearly every plan) is walked, not rebuilt.
    """
    if isinstance(value, Enum):
        return value
    if isinstance(value, str):
        return terminal(value) if _TERMINAL_UNSAFE.search(value) else value  # type: ignore
    names = _init_fields(type(value))
    if names is not None:
        changes = {}
        for name in names:
            old = getattr(value, name)
            new = terminal_safe(old)
            if new is not old:
                changes[name] = new
        return replace(value, **changes) if changes else value  # type: ignore[type-var]
    if isinstance(value, tuple | list):
        items = [terminal_safe(item) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return type(value)(items)
    if isinstance(value, dict):
        pairs = [(terminal_safe(k), terminal_safe(v)) for k, v in value.items()]
        if all(k is old_k and v is old_v
               for (k, v), (old_k, old_v) in zip(pairs, value.items(), strict=True)):
            return value
        return dict(pairs)  # type: ignore[return-value]
    return value


#: type -> the names of its init fields (None: not a dataclass); fields() reflects every call
_INIT_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _init_fields(kind: type) -> tuple[str, ...] | None:
    if kind not in _INIT_FIELDS:
        _INIT_FIELDS[kind] = tuple(f.name for f in fields(kind) if f.init) \
            if is_dataclass(kind) else None
    return _INIT_FIELDS[kind]


def terminal_line(text: str) -> str:
    """Like :func:`terminal`, and line breaks and tabs shown as ``\\n`` / ``\\t`` too."""
    return _LINE_UNSAFE.sub(_visible, text)


def _one_line(text: str) -> str:
    """No line break (which could end a paragraph or HTML block) and no control character."""
    text = _LINE_BREAKS.sub(" ", text)
    return _TERMINAL_UNSAFE.sub(lambda m: "\ufffd", text.replace("\t", " "))


def _no_autolinks(text: str) -> str:
    return _AUTOLINKS.sub(lambda m: m.group() + JOINER, text)


def md(text: str) -> str:
    """``text`` as markdown inline text, safe in a paragraph, list item, quote or table cell.

    Every character that can start inline structure (emphasis, link, image, HTML, entity,
    code span, strikethrough, table pipe) is backslash-escaped, which CommonMark reads as the
    literal character (spec §2.4); the text is one line without blanks at its ends, and a leading
    ``-``, ``+``, ``=`` or ``1.`` is escaped too, so it cannot start a heading, list, quote or
    code block where it begins a line.
    """
    one = _one_line(text).strip()  # blanks at either end would break **emphasis** around it
    if not one:
        return JOINER  # keeps `**...**` around an empty name a (visually empty) strong text
    escaped = _MD_SPECIAL.sub(r"\\\1", _no_autolinks(one))
    return _MD_LINE_START.sub(lambda m: m.group()[:-1] + "\\" + m.group()[-1], escaped)


def html(text: str) -> str:
    """``text`` as character data inside raw HTML in markdown (``<summary>``, ``<b>``).

    Markdown is not processed inside an HTML block, so backslashes would show: this uses
    HTML character references instead, and keeps the text on one line (a blank line would end
    the HTML block and let the rest be read as markdown).
    """
    escaped = (_one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
               .replace('"', "&quot;").replace("'", "&#39;"))
    return _no_autolinks(escaped)


def html_lines(text: str) -> str:
    """``text`` as :func:`html`, line by line, for a ``<pre>`` block (which CommonMark ends
    only at ``</pre>``, so its lines, blank ones too, stay inside it). Line breaks are
    normalised to ``\\n``; no line can carry a tag, so none can close the block."""
    return "\n".join(html(line) for line in _LINE_BREAKS.split(text))


def code(text: str) -> str:
    """``text`` as an inline code span, with a fence longer than any backtick run inside."""
    text = _one_line(text)
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) or not text else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fence(body: str, info: str = "") -> str:
    """``body`` as a fenced code block that no line of ``body`` can close.

    Line breaks are normalised first (a lone ``\\r`` is a line ending to CommonMark), and the
    fence is longer than any backtick run in ``body``.
    """
    lines = _TERMINAL_UNSAFE.sub("\ufffd", _LINE_BREAKS.sub("\n", body))
    longest = max((len(run) for run in _BACKTICKS.findall(lines)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{info}\n{lines}\n{ticks}"


_MERMAID_ENTITIES = {'"': "#quot;", "#": "#35;", "<": "#lt;", ">": "#gt;", "`": "#96;",
                     "&": "#38;", "\\": "#92;", "[": "#91;", "]": "#93;", "|": "#124;",
                     "{": "#123;", "}": "#125;", "(": "#40;", ")": "#41;"}
_MERMAID_UNSAFE = re.compile("[" + re.escape("".join(_MERMAID_ENTITIES)) + "]")


def mermaid(text: str) -> str:
    """``text`` for a double-quoted mermaid label: mermaid's ``#name;`` entity codes, one line."""
    return _MERMAID_UNSAFE.sub(lambda m: _MERMAID_ENTITIES[m.group()], _one_line(text))

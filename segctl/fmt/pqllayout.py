"""Line breaking for long canonical PQL (the text of a ``pql: |`` block).

Only whitespace between tokens changes, so the layout parses to the same tree. A bracketed
group that does not fit in :data:`WIDTH` columns is broken: before its top-level ``and``,
``or`` and ``where`` (and the ``in`` of a ``let``), and after its top-level commas; keywords
inside a ``where`` clause are aligned on the right so that the conditions line up::

    (select A from xEvent
     where A.eventType = "commerce.productListAdds"
       and A.timestamp occurs <= 7 days before now)
    and not (select P from xEvent
             where P.eventType = "commerce.purchases"
               and P.timestamp occurs <= 7 days before now)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

WIDTH = 80
BREAK_BEFORE = frozenset({"and", "or", "where"})
_LEX = re.compile(
    r"""(?P<ws>\s+)
       |(?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
       |(?P<word>[A-Za-z_][A-Za-z0-9_]*)
       |(?P<open>[(\[{])
       |(?P<close>[)\]}])
       |(?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)


@dataclass
class _Atom:
    text: str
    space: str  # the whitespace before it in the canonical text ("" or " ")


@dataclass
class _Group:
    open: _Atom | None
    items: list[_Atom | _Group] = field(default_factory=list)
    close: _Atom | None = None

    @property
    def space(self) -> str:
        return self.open.space if self.open else ""

    def flat(self) -> str:
        inner = "".join(_flat(item) for item in self.items)
        if self.open is None:
            return inner
        return self.open.text + inner + (self.close.text if self.close else "")


def _flat(item: _Atom | _Group) -> str:
    if isinstance(item, _Atom):
        return item.space + item.text
    text = item.flat()
    return item.space + text


def _parse(text: str) -> _Group:
    root = _Group(None)
    stack = [root]
    space = ""
    for match in _LEX.finditer(text):
        kind, value = match.lastgroup, match.group()
        if kind == "ws":
            space = " "
            continue
        atom = _Atom(value, space)
        space = ""
        if kind == "open":
            group = _Group(atom)
            stack[-1].items.append(group)
            stack.append(group)
        elif kind == "close" and len(stack) > 1:
            stack[-1].close = atom
            stack.pop()
        else:
            stack[-1].items.append(atom)
    return root


def _word(item: _Atom | _Group) -> str | None:
    return item.text.lower() if isinstance(item, _Atom) and item.text[:1].isalpha() else None


def _render(group: _Group, col: int) -> str:
    """``group`` starting at column ``col``: flat when it fits, else broken and recursed."""
    flat = group.flat()
    if col + len(flat) <= WIDTH:
        return flat
    out = group.open.text if group.open else ""
    content = col + len(out)
    cursor = content
    where_col: int | None = None
    previous: _Atom | _Group | None = None
    pending_let = bool(group.items) and _word(group.items[0]) == "let"
    for item in group.items:
        word = _word(item)
        space = item.space
        if pending_let and previous is not None and word == "in":
            pending_let = False  # the `in` of `let NAME = value in body`
            space = "\n" + " " * content
        elif previous is not None and word in BREAK_BEFORE:
            if word == "where":
                indent = where_col = content
            elif where_col is not None:
                indent = where_col + len("where") - len(word or "")
            else:
                indent = content
            space = "\n" + " " * indent
        elif isinstance(previous, _Atom) and previous.text == "," and group.open is not None:
            space = "\n" + " " * content
        out += space
        cursor = cursor + len(space) if "\n" not in space else len(space) - 1
        text = _render(item, cursor) if isinstance(item, _Group) else item.text
        out += text
        cursor = len(text) - text.rfind("\n") - 1 if "\n" in text else cursor + len(text)
        previous = item
    if group.close is not None:
        out += group.close.text
    return out


def layout(canonical_text: str) -> str:
    """``canonical_text`` broken into lines of at most :data:`WIDTH` columns where possible."""
    return _render(_parse(canonical_text), 0)

"""Proof that a document is already in ``fmt``'s canonical form, without ruamel's round trip.

ruamel's round trip costs about 3 ms a document; a project of 4,000 segments in one file would
take seconds for ``fmt --check`` in a pre-commit hook. Most documents are plain ones: top-level
``key: value`` lines, flow lists of words, a nested block one level deep, ``|`` blocks, comment
lines. For those, what the round trip writes is known: the same text, if the keys are in
canonical order and the PQL is canonical and laid out as :func:`~segctl.fmt.formatter.pql_scalar`
lays it out. :func:`already_canonical` recognises exactly such a document; for anything it
does not recognise it answers False and the caller formats the document the slow way (so a
False is never wrong, and a True is checked against the round trip by
``tests/fmt/test_fmt_fastpath.py`` on every document the repository has, and on variants).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

#: a key written plainly at the start of a line
_KEY = r"[A-Za-z_][A-Za-z0-9_]*"
#: a plain scalar the round trip writes back unchanged: a word, or words separated by single
#: spaces, of printable ASCII without YAML's indicators where they would matter (no ': ', no
#: ' #', no quotes or brackets at the start, no trailing space)
_WORDS = r"[A-Za-z_(][!-~]*(?: [!-~]+)*"
_SCALAR = re.compile(_WORDS)
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]{0,17})")
_FLOW_ITEM = re.compile(r"[A-Za-z_][A-Za-z0-9_.@/-]*")
_TOP = re.compile(rf"(?P<key>{_KEY}):(?: (?P<value>[^#]*?))?(?P<comment> +#[ -~]*)?")
_NESTED = re.compile(rf"  (?:- (?P<item>.+)|(?P<key>{_KEY}): (?P<value>.+))")
_COMMENT_LINE = re.compile(r"#[ -~]*")
#: words that mean something else in YAML 1.1 or 1.2 (booleans, null): the round trip may
#: write them differently, so a document holding one goes the slow way
_SPECIAL = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"})

Layout = Callable[[str], str | None]


def _plain_ok(value: str) -> bool:
    """A plain scalar the round trip keeps as it is written."""
    if _NUMBER.fullmatch(value) or value in ("true", "false"):
        return True
    if value.lower() in _SPECIAL or _SCALAR.fullmatch(value) is None:
        return False
    return ": " not in value and " #" not in value and not value.endswith(":") \
        and "\t" not in value


def _flow_ok(value: str) -> bool:
    """``[a, b]``: a flow list of words, written with ``, `` between them."""
    if not (value.startswith("[") and value.endswith("]")):
        return False
    inner = value[1:-1]
    if not inner:
        return True
    items = inner.split(", ")
    return all(_FLOW_ITEM.fullmatch(i) and i.lower() not in _SPECIAL for i in items)


def already_canonical(body: str, order: Callable[[str | None, list[str]], list[str]],
                      pql_keys: Mapping[str, tuple[str, ...]], pql_text: Layout) -> bool:
    """True when formatting ``body`` (one document, no ``---`` line) would give it back as is.

    ``order(kind, keys)`` is the canonical key order, ``pql_keys`` the PQL fields by kind, and
    ``pql_text(value)`` the text ``fmt`` writes for a PQL value (None when it cannot format it).
    """
    if not body.endswith("\n") or body.endswith("\n\n") or "\r" in body:
        return False
    lines = body[:-1].split("\n")
    keys: list[str] = []
    plain: dict[str, str] = {}
    blocks: dict[str, str] = {}
    index, count, blank_before = 0, len(lines), False
    while index < count:
        line = lines[index]
        index += 1
        if not line:
            if not keys or blank_before:
                return False  # a blank line before the first key, or two in a row
            blank_before = True
            continue
        blank_before = False
        if _COMMENT_LINE.fullmatch(line):
            if keys and lines[index - 2].startswith(" "):
                return False  # a comment right after a nested block belongs to it
            continue
        match = _TOP.fullmatch(line)
        if match is None:
            return False
        key, value, comment = match["key"], match["value"], match["comment"]
        if key in keys or key.lower() in _SPECIAL:
            return False
        keys.append(key)
        if value is None or value == "":
            if comment:
                return False
            nested = _nested(lines, index)
            if nested == 0:
                return False  # `key:` alone is null
            index += nested
        elif value == "|":
            if comment:
                return False
            content = _block(lines, index)
            if content is None:
                return False
            index += content.count("\n")
            blocks[key] = content
        elif not (_plain_ok(value) or _flow_ok(value)):
            return False
        else:
            plain[key] = value
    if not keys:
        return False
    kind = plain.get("kind")
    if order(kind, keys) != keys:
        return False
    for field in pql_keys.get(kind or "", ()):
        written = plain.get(field, blocks.get(field))
        if written is None:
            if field in keys:
                return False  # a nested value where PQL text belongs
            continue
        if field in plain and (_NUMBER.fullmatch(written) or _flow_ok(written)
                               or written in ("true", "false")):
            return False  # not a string: the slow path says what happens to it
        if pql_text(written) != written:
            return False
    return True


def _nested(lines: list[str], start: int) -> int:
    """How many lines of a one-level nested block (``  - item`` or ``  key: value``) follow."""
    taken, form = 0, None
    for line in lines[start:]:
        match = _NESTED.fullmatch(line)
        if match is None:
            break
        this = "item" if match["item"] is not None else "key"
        value = match["item"] if this == "item" else match["value"]
        if form not in (None, this) or not (_plain_ok(value) or _flow_ok(value)):
            return 0
        if this == "key" and (match["key"].lower() in _SPECIAL):
            return 0
        form = this
        taken += 1
    if taken and start + taken < len(lines) and lines[start + taken].startswith(" "):
        return 0  # deeper nesting follows
    return taken


def _block(lines: list[str], start: int) -> str | None:
    """The value of a ``|`` block whose content lines start at ``start``: each indented by
    two spaces (more for continuation lines), printable ASCII, no trailing blanks, no blank
    lines; None when the block is not written that way."""
    content: list[str] = []
    for line in lines[start:]:
        if not line.startswith("  "):
            break
        text = line[2:]
        if not text.strip() or text != text.rstrip() or not text.isascii() \
                or not text.isprintable():
            return None
        if not content and text.startswith(" "):
            return None
        content.append(text)
    if not content:
        return None
    return "\n".join(content) + "\n"

"""Every piece of user text (segment names, keys, descriptions, PQL, dataset names, paths) that
goes into a comment, an issue or a summary passes through here.

Two contexts: :func:`user_text` for inline markdown, :func:`user_html` inside an HTML element
(``<pre>``, ``<code>``, ``<summary>``). This is the single seam to repoint at the shared
escaping module of ``segctl/render`` once it lands.
"""

from __future__ import annotations

import re

# Characters that start inline markdown (emphasis, code, links, strikethrough, tables, raw
# HTML, entities) anywhere in a line: escaped with a backslash (CommonMark allows it for any
# ASCII punctuation). The rest only matter at the start of a line, see _LINE_START.
_MD_INLINE = re.compile(r"([\\`*_\[\]|~])")
_LINE_START = re.compile(r"^([#>+=-]|\d+[.)])")  # headings, quotes, lists, setext
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# A zero-width space after @ and # keeps them from pinging people or linking issues (the
# trick Dependabot uses in its pull request bodies).
_MENTION = re.compile(r"([@#])(?=[\w-])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "&#91;", "]": "&#93;"}
_HTML_SPECIAL = re.compile(r"[&<>\[\]]")


def user_html(text: str) -> str:
    """``text`` safe inside an HTML element: no tags, no entities, no control characters,
    no @mention, #issue or [link] syntax."""
    text = _MENTION.sub("\\1\u200b", _CONTROL.sub("\N{REPLACEMENT CHARACTER}", text))
    return _HTML_SPECIAL.sub(lambda m: _HTML[m.group(0)], text)


def user_text(text: str) -> str:
    """``text`` as literal inline markdown on one line: markdown punctuation backslashed,
    HTML and mentions neutralised, line breaks folded to spaces."""
    text = _CONTROL.sub("\N{REPLACEMENT CHARACTER}", " ".join(text.splitlines()))
    text = _MENTION.sub("\\1\u200b", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_INLINE.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], text)


def mermaid_label(text: str) -> str:
    """A mermaid node label inside ``["..."]``."""
    return "".join(f"#{ord(c)};" if c in '"<>&#;`[](){}|' else c for c in
                   _CONTROL.sub("?", " ".join(text.splitlines())))

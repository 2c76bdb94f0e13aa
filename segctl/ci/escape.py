"""Every piece of user text (segment names, keys, descriptions, PQL, dataset names, paths) that
goes into a comment, an issue or a summary passes through here.

Two contexts: :func:`user_text` for inline markdown, :func:`user_html` inside an HTML element
(``<pre>``, ``<code>``, ``<summary>``). This is the single seam to repoint at the shared
escaping module of ``segctl/render`` once it lands.
"""

from __future__ import annotations

import re

# Markdown punctuation that can start emphasis, links, code, headings, lists, tables or
# autolinks; escaped with a backslash (CommonMark: any ASCII punctuation may be escaped).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~^$:=])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "@": "&#64;", "#": "&#35;", "[": "&#91;",
         "]": "&#93;"}
_HTML_SPECIAL = re.compile("[&<>@#\\[\\]]")


def user_html(text: str) -> str:
    """``text`` safe inside an HTML element: no tags, no entities, no control characters,
    no @mention, #issue or [link] syntax."""
    text = _CONTROL.sub("\N{REPLACEMENT CHARACTER}", text)
    return _HTML_SPECIAL.sub(lambda m: _HTML[m.group(0)], text)


def user_text(text: str) -> str:
    """``text`` as literal inline markdown on one line: markdown punctuation backslashed,
    HTML and mentions neutralised, line breaks folded to spaces."""
    text = " ".join(text.splitlines())
    text = _CONTROL.sub("\N{REPLACEMENT CHARACTER}", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return text.replace("@", "&#64;")


def mermaid_label(text: str) -> str:
    """A mermaid node label inside ``["..."]``."""
    return "".join(f"#{ord(c)};" if c in '"<>&#;`[](){}|' else c for c in
                   _CONTROL.sub("?", " ".join(text.splitlines())))

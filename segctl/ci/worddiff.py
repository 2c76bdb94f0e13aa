"""Word-level diffs for PQL: ``<del>``/``<ins>`` inside ``<pre>`` (both survive GitHub's
sanitizer, unlike colour), so a reviewer sees which operand of a long rule changed."""

from __future__ import annotations

import difflib
import re

from segctl.render.escape import html_lines

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def word_diff(before: str, after: str) -> str:
    """An HTML ``<pre>`` block showing ``before`` turned into ``after`` word by word."""
    old, new = tokens(before), tokens(after)
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            out.append(html_lines("".join(old[a0:a1])))
            continue
        if a1 > a0:
            out.append(f"<del>{html_lines(''.join(old[a0:a1]))}</del>")
        if b1 > b0:
            out.append(f"<ins>{html_lines(''.join(new[b0:b1]))}</ins>")
    return "<pre>" + "".join(out) + "</pre>"

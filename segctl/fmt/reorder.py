"""Reorder the top-level keys of one block-style YAML document, carrying comments along.

Reordering happens on text, after ruamel has round-tripped the document, because ruamel keeps a
comment *above* a key as the trailing comment of whatever came before it (often the last item
of a nested list), so moving mapping entries would move comments to the wrong key. On text the
rule is simple: the unindented comment lines and blank lines directly above a key belong to that
key (an indented comment stays with the nested value above it); the lines above the first key
are the document header and stay first; the lines after the last key's value are the footer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class KeySpan:
    """Where one top-level key starts (0-based line) and whether its value is a block scalar."""

    key: str
    line: int
    block_scalar: bool = False


def _is_loose(line: str, block_scalar: bool) -> bool:
    """A blank or comment-only line that may belong to the next key rather than this value."""
    if not line.strip():
        return not block_scalar  # a block scalar's trailing blank lines may be its content
    # an indented comment belongs to the nested value above it (or is block scalar content)
    return line.startswith("#")


def _split_tail(lines: Sequence[str], block_scalar: bool) -> int:
    """Index in ``lines`` where the trailing run of loose lines starts (never 0: the key line)."""
    cut = len(lines)
    while cut > 1 and _is_loose(lines[cut - 1], block_scalar):
        cut -= 1
    return cut


def reorder(text: str, spans: Sequence[KeySpan], order: Sequence[str]) -> str:
    """``text`` with the top-level entries rearranged into ``order`` (all keys of ``spans``)."""
    if [s.key for s in spans] == list(order) or len(spans) < 2:
        return text
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    spans = sorted(spans, key=lambda s: s.line)
    if len({s.line for s in spans}) != len(spans):  # several keys on one line: leave it alone
        return text
    header = lines[: spans[0].line]
    chunks: dict[str, list[str]] = {}
    leading: list[str] = []
    footer: list[str] = []
    for index, span in enumerate(spans):
        end = spans[index + 1].line if index + 1 < len(spans) else len(lines)
        body = lines[span.line : end]
        cut = _split_tail(body, span.block_scalar)
        chunks[span.key] = leading + body[:cut]
        leading = body[cut:]
        if index + 1 == len(spans):
            footer = leading
    out = list(header)
    for key in order:
        out.extend(chunks[key])
    out.extend(footer)
    return "".join(out)

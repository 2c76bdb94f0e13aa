"""Find where a JSON pointer's value starts in JSON text, to position pql/json errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from json import decoder

# the C string scanner json itself uses (not in the type stubs)
scanstring: Callable[[str, int], tuple[str, int]] = decoder.scanstring  # type: ignore[attr-defined]

_DECODER = json.JSONDecoder()
_SPACE = " \t\n\r"


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in _SPACE:
        index += 1
    return index


def pointer_offset(text: str, pointer: str) -> int | None:
    """The offset in ``text`` of the value at ``pointer`` (``/params/0/object``), or of its
    deepest existing ancestor (a missing key points at the object that lacks it).

    Keys are compared literally (segctl's pointers never need ``~`` escapes). The text is
    assumed to be valid JSON; anything unexpected gives None rather than an exception.
    """
    try:
        return _find(text, pointer.split("/")[1:])
    except (ValueError, IndexError):
        return None


def _find(text: str, parts: list[str]) -> int | None:
    index = _skip_space(text, 0)
    for part in parts:
        if text[index] == "{":
            found = _member(text, index, part)
        elif text[index] == "[" and part.isdigit():
            found = _element(text, index, int(part))
        else:
            found = -1
        if found < 0:
            return index
        index = found
    return index


def _member(text: str, index: int, key: str) -> int:
    index = _skip_space(text, index + 1)
    while text[index] == '"':
        name, index = scanstring(text, index + 1)
        index = _skip_space(text, index)
        if text[index] != ":":
            return -1
        index = _skip_space(text, index + 1)
        if name == key:
            return index
        index = _skip_space(text, _DECODER.raw_decode(text, index)[1])
        if text[index] != ",":
            return -1
        index = _skip_space(text, index + 1)
    return -1


def _element(text: str, index: int, position: int) -> int:
    index = _skip_space(text, index + 1)
    for _ in range(position):
        if text[index] == "]":
            return -1
        index = _skip_space(text, _DECODER.raw_decode(text, index)[1])
        if text[index] != ",":
            return -1
        index = _skip_space(text, index + 1)
    return -1 if text[index] == "]" else index

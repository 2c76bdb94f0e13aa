"""JSON on the hot paths: API answers as the client reads them, and the local sandbox's stored
documents and answers. orjson does the work; the standard library takes over wherever orjson
refuses an input, so the results are the standard library's with one documented exception.

- :func:`loads` reads what ``json.loads`` reads. orjson refuses ``NaN``, ``Infinity``, lone
  surrogates (``"\\ud800"``), a byte order mark and UTF-16/32 text; those go to ``json.loads``,
  which reads them (or raises its own ``ValueError``). The exception: an integer beyond 64 bits
  (below -2**63 or above 2**64-1) is read as the nearest float, where ``json.loads`` keeps the
  exact integer. AEP's services are written in Java, whose ``long`` is 64 bits, and never
  answer such numbers; ``tests/test_jsonio.py`` holds the two readers equal everywhere else.
- :func:`dumps` writes compact UTF-8 (no spaces, characters beyond ASCII as themselves rather
  than ``\\u`` escapes: the same JSON value). A value orjson cannot write (an integer beyond 64
  bits, a key that is not a string, a lone surrogate, a type it does not know) is written by
  ``json.dumps`` instead, compact and ASCII-escaped. orjson writes ``NaN`` and infinities as
  ``null``; ``json.dumps`` (only in that fallback) as the tokens it always writes.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def loads(data: bytes | str) -> Any:
    """The JSON value of ``data`` (raises ``ValueError`` as ``json.loads`` does)."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


def dumps(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON."""
    try:
        return orjson.dumps(value)
    except TypeError:
        # ASCII escapes keep a lone surrogate writable (orjson refuses it)
        return json.dumps(value, separators=(",", ":")).encode()

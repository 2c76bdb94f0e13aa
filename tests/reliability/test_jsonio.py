"""segctl.jsonio against the standard library: the same values from every text, including the
ones orjson refuses (NaN, lone surrogates, byte order marks, UTF-16), the same errors for
broken text, and writing that reads back as the value written. The one documented difference:
an integer beyond 64 bits is read as the nearest float."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segctl import jsonio

_INT64 = (-(2**63), 2**64 - 1)

SCALARS = (st.none() | st.booleans() | st.integers() | st.text()
           | st.floats(allow_nan=True, allow_infinity=True)
           | st.sampled_from(["\ud800", "é\u202e\x00", "\U0001f600", "9" * 40]))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                  max_size=4),
    max_leaves=20)


def _same(ours: Any, theirs: Any) -> bool:
    """Equal as values, NaN equal to NaN, and an integer beyond 64 bits equal to itself or to
    its float (a text orjson refuses for another reason is read by json, exactly)."""
    if isinstance(theirs, int) and not isinstance(theirs, bool) and not (
            _INT64[0] <= theirs <= _INT64[1]):
        return ours == theirs if isinstance(ours, int) else (
            isinstance(ours, float) and ours == float(theirs))
    if isinstance(theirs, float) and math.isnan(theirs):
        return isinstance(ours, float) and math.isnan(ours)
    if isinstance(theirs, list):
        return isinstance(ours, list) and len(ours) == len(theirs) and all(
            _same(a, b) for a, b in zip(ours, theirs, strict=True))
    if isinstance(theirs, dict):
        return isinstance(ours, dict) and list(ours) == list(theirs) and all(
            _same(ours[k], theirs[k]) for k in theirs)
    return type(ours) is type(theirs) and ours == theirs


@settings(max_examples=300, deadline=None)
@given(VALUES, st.booleans(), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "str"]))
def test_reads_what_the_standard_library_writes(value: Any, ascii_only: bool,
                                                encoding: str) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    if encoding != "str" and not ascii_only and any(0xD800 <= ord(c) < 0xE000 for c in text):
        encoding = "str"  # a lone surrogate has no UTF encoding
    data: bytes | str = text if encoding == "str" else text.encode(encoding)
    assert _same(jsonio.loads(data), json.loads(data))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40) | st.text(max_size=40).map(str.encode))
def test_broken_text_fails_as_the_standard_library_fails(data: bytes) -> None:
    try:
        expected: Any = json.loads(data)
    except ValueError:
        with pytest.raises(ValueError):
            jsonio.loads(data)
        return
    assert _same(jsonio.loads(data), expected)


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_what_is_written_reads_back(value: Any) -> None:
    written = jsonio.dumps(value)
    assert isinstance(written, bytes)
    # orjson writes NaN and infinities as null; a fallback write keeps json's tokens
    back = json.loads(written)
    expected = json.loads(json.dumps(value))
    if not _has_non_finite(value):
        assert _same(back, expected)


def _has_non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, list):
        return any(_has_non_finite(v) for v in value)
    if isinstance(value, dict):
        return any(_has_non_finite(v) for v in value.values())
    return False


def test_the_documented_cases() -> None:
    assert jsonio.loads(b'{"a":NaN}')["a"] != jsonio.loads(b'{"a":NaN}')["a"]  # json reads NaN
    assert jsonio.loads(b'"\\ud800"') == "\ud800"
    assert jsonio.loads(b"\xef\xbb\xbf[1]") == [1]
    assert jsonio.loads(b"18446744073709551615") == 2**64 - 1  # exact up to 64 bits
    assert jsonio.loads(b"18446744073709551616") == float(2**64)  # the documented exception
    assert jsonio.dumps({"é": 1, "n": None}) == '{"é":1,"n":null}'.encode()
    assert jsonio.dumps({"a": 2**70}) == b'{"a":1180591620717411303424}'
    assert jsonio.dumps({1: "x"}) == b'{"1":"x"}'
    assert jsonio.dumps(["\ud800"]) == b'["\\ud800"]'
    assert jsonio.dumps([math.nan]) == b"[null]"

"""One block of the compact profile store: the records of up to ``BLOCK_SIZE`` consecutive
profiles and their prepared events, as one compressed byte string.

Encoding: equal sub-values are shared first (every event of a profile repeats its
``identityMap``, page views repeat their page, carts repeat across add, checkout and purchase),
then :mod:`marshal` writes the block once, so a shared value is stored and decoded once, then
zstd (pyarrow's codec) compresses it. Decoding gives plain JSON data equal to what
``json.loads`` gave at build time: marshal keeps every type (``1``, ``1.0`` and ``True`` stay
apart, ``-0.0`` stays negative) and key order; two values are shared only when their marshal
bytes are equal, and never when they hold a NaN (the only value not equal to itself). Shared
values are fine because nothing that reads profiles mutates them (the evaluator is pure;
exports and look-ups copy before they add a key).
"""

from __future__ import annotations

import marshal
import math
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from segctl import pql

CODEC = "zstd"

# one decoded row without its id: (profile, prepared events)
Record = tuple[dict[str, Any], pql.PreparedEvents]


def encode(records: Sequence[Record], codec: str = CODEC) -> tuple[bytes, int]:
    """The block's compressed bytes and its uncompressed size."""
    memo: dict[Any, Any] = {}
    body = ([_share(p, memo) for p, _ in records],
            [[_share(e, memo) for e in ev.events] for _, ev in records],
            [ev.times for _, ev in records])
    raw = marshal.dumps(body)
    return pa.compress(raw, codec=codec, asbytes=True), len(raw)


def decode(payload: bytes, raw_size: int, codec: str = CODEC) -> list[Record]:
    raw = pa.decompress(payload, decompressed_size=raw_size, codec=codec, asbytes=True)
    profiles, events, times = marshal.loads(raw)
    prepared = pql.PreparedEvents
    return [(p, prepared(e, t)) for p, e, t in zip(profiles, events, times, strict=True)]


def _share(record: Any, memo: dict[Any, Any]) -> Any:
    """``record`` (an object) with its keys, string values and container values replaced by
    an equal one already seen in this block; other records are kept as they are."""
    if record.__class__ is not dict:
        return record
    out = {}
    dumps = marshal.dumps
    for key, value in record.items():
        key = memo.setdefault(key, key)
        cls = value.__class__
        if cls is str:
            value = memo.setdefault(value, value)
        elif cls is dict or cls is list:
            blob = dumps(value)
            seen = memo.get(blob)
            if seen is not None:
                value = seen
            elif not _may_hold_nan(blob) or not _has_nan(value):
                memo[blob] = value
        out[key] = value
    return out


def _may_hold_nan(blob: bytes) -> bool:
    """A cheap test on marshal bytes: a NaN double ends in 0x7f or 0xff (its exponent)."""
    return b"\x7f" in blob or b"\xff" in blob


def _has_nan(value: Any) -> bool:
    cls = value.__class__
    if cls is float:
        return math.isnan(value)
    if cls is dict:
        return any(_has_nan(v) for v in value.values())
    if cls is list:
        return any(_has_nan(v) for v in value)
    return False

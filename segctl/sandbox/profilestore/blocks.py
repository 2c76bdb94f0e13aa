"""One block of the compact profile store: the records of up to ``BLOCK_SIZE`` consecutive
profiles, and apart from them their prepared events, each as one compressed byte string (a job
whose segments never read ``xEvent`` decodes only the profiles).

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


Packed = tuple[bytes, int]  # compressed bytes, uncompressed size


def encode(records: Sequence[Record], codec: str = CODEC) -> tuple[Packed, Packed]:
    """The block's profiles and its events, each packed (the records' values are replaced in
    place by shared equal ones: pass records nobody else holds)."""
    memo: dict[Any, Any] = {}
    profiles = [_share(p, memo) for p, _ in records]
    events = ([[_share(e, memo) for e in ev.events] for _, ev in records],
              [ev.times for _, ev in records])
    return _pack(profiles, codec), _pack(events, codec)


def decode_profiles(packed: Packed, codec: str = CODEC) -> list[dict[str, Any]]:
    return list(_unpack(packed, codec))


def decode_events(packed: Packed, codec: str = CODEC) -> list[pql.PreparedEvents]:
    events, times = _unpack(packed, codec)
    prepared = pql.PreparedEvents
    return [prepared(e, t) for e, t in zip(events, times, strict=True)]


def _pack(value: Any, codec: str) -> Packed:
    raw = marshal.dumps(value)
    return pa.compress(raw, codec=codec, asbytes=True), len(raw)


def _unpack(packed: Packed, codec: str) -> Any:
    payload, size = packed
    return marshal.loads(pa.decompress(payload, decompressed_size=size, codec=codec,
                                       asbytes=True))


def _share(record: Any, memo: dict[Any, Any]) -> Any:
    """``record`` (an object, changed in place: the builder's own copy) with its string and
    container values replaced by an equal one already seen in this block. Keys need no
    sharing: ``json.loads`` already gives equal keys of one document as one string."""
    if record.__class__ is not dict:
        return record
    dumps = marshal.dumps
    for key, value in record.items():
        cls = value.__class__
        if cls is str:
            record[key] = memo.setdefault(value, value)
        elif cls is dict or cls is list:
            blob = dumps(value)
            seen = memo.get(blob)
            if seen is not None:
                record[key] = seen
            elif not _may_hold_nan(blob) or not _has_nan(value):
                memo[blob] = value
    return record


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

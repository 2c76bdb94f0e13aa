"""Build the compact store (``store.ProfileStore``) from the sample's NDJSON files, streaming.

Three passes, so no more than one block of records is ever held as Python objects:

1. the profiles: each one's id and identities, to find an event's owner (as ``profiles.load``
   does: an id names the last profile with it, an identity the first);
2. the events: each linked event's owner and the byte span of its line (compact arrays);
3. per block of profiles: the profiles again, in order, and their events read back from their
   spans (one read when the file is grouped by profile, as the sample writer writes it),
   prepared (sorted, times parsed) by the same ``pql.prepare_events``, then encoded.

An events file of at most ``KEEP_BYTES`` (the default sample's is ~8 MB) is decoded once: its
events are kept from pass 2 instead of being read back.
"""

from __future__ import annotations

from array import array
from pathlib import Path
from typing import Any

import pyarrow as pa

from segctl import pql
from segctl.sandbox.profilestore import blocks as blockcodec
from segctl.sandbox.profilestore import ndjson
from segctl.sandbox.profilestore.data import BLOCK_SIZE, identity_ids, paths
from segctl.sandbox.profilestore.owners import event_owner, identity_keys, profile_id
from segctl.sandbox.profilestore.store import SCHEMA, ProfileStore

_BLOCKS_PER_BATCH = 64
# one block's values, in SCHEMA's order
_Columns = tuple[bytes, int, bytes, int, list[str], list[str], list[str], list[int]]
KEEP_BYTES = 16 << 20  # events files up to this size are decoded once and kept meanwhile
_SLOT_SHIFT = 32  # sort key: owner position << 32 | event number (file order breaks ties)


def build(data_dir: Path, block_size: int = BLOCK_SIZE) -> ProfileStore:
    profiles_path, events_path = paths(data_dir)
    index: dict[str, int] = {}
    count = 0
    for profile in ndjson.read(profiles_path):
        index[profile_id(profile)] = count
        for alias in identity_keys(profile):
            index.setdefault(alias, count)
        count += 1
    kept: list[Any] | None = [] if events_path.stat().st_size <= KEEP_BYTES else None
    keys, spans = _linked_events(events_path, index, kept)
    del index
    order = _sorted(keys)
    del keys
    batches: list[pa.RecordBatch] = []
    pending: list[_Columns] = []
    with events_path.open("rb") as events_file:
        profiles = ndjson.read(profiles_path)
        cursor = 0
        for first in range(0, count, block_size):
            last = min(first + block_size, count)
            cursor, owned = _block_events(order, cursor, last, spans, events_file, kept)
            pending.append(_encode(first, [next(profiles) for _ in range(first, last)], owned))
            if len(pending) == _BLOCKS_PER_BATCH:
                batches.append(_batch(pending))
                pending = []
    if pending or not batches:
        batches.append(_batch(pending))
    return ProfileStore(pa.Table.from_batches(batches, SCHEMA), len(order), block_size)


def _sorted(keys: array[int]) -> memoryview:
    """``keys`` in ascending order (Arrow's sort: C speed, no Python int per key)."""
    if not keys:
        return memoryview(array("q"))
    ordered = pa.array(keys, pa.int64()).sort()
    values = ordered.buffers()[1]
    assert values is not None
    return memoryview(values).cast("q")[ordered.offset:ordered.offset + len(ordered)]


def _linked_events(events_path: Path, index: dict[str, int], kept: list[Any] | None
                   ) -> tuple[array[int], tuple[array[int], array[int]]]:
    """Sort keys (owner position, event number) and line spans of the events with an owner
    (and the events themselves, in ``kept`` when given)."""
    keys, starts, sizes = array("q"), array("q"), array("q")
    number = 0
    for event, start, size in ndjson.read_spans(events_path):
        owner = event_owner(event)
        slot = index.get(owner) if owner is not None else None
        if slot is not None:
            keys.append(slot << _SLOT_SHIFT | number)
            starts.append(start)
            sizes.append(size)
            number += 1
            if kept is not None:
                kept.append(event)
    return keys, (starts, sizes)


def _block_events(order: memoryview, cursor: int, last: int,
                  spans: tuple[array[int], array[int]], events_file: Any,
                  kept: list[Any] | None) -> tuple[int, dict[int, list[Any]]]:
    """The events owned by profiles before position ``last`` (from ``cursor`` in ``order``),
    per owner, in file order; and the new cursor."""
    starts, sizes = spans
    end = cursor
    taken: list[tuple[int, int]] = []
    total = len(order)
    while end < total:
        key = order[end]
        if key >> _SLOT_SHIFT >= last:
            break
        taken.append((key >> _SLOT_SHIFT, key & ((1 << _SLOT_SHIFT) - 1)))
        end += 1
    records = [kept[n] for _, n in taken] if kept is not None else \
        ndjson.read_at(events_file, [(starts[n], sizes[n]) for _, n in taken])
    owned: dict[int, list[Any]] = {}
    for (slot, _), record in zip(taken, records, strict=True):
        owned.setdefault(slot, []).append(record)
    return end, owned


def _encode(first: int, profiles: list[dict[str, Any]], owned: dict[int, list[Any]]
            ) -> _Columns:
    records = [(p, pql.prepare_events(owned.get(first + i, []))) for i, p in enumerate(profiles)]
    (profiles_payload, profiles_size), (events_payload, events_size) = \
        blockcodec.encode(records)
    id_ns: list[str] = []
    id_values: list[str] = []
    id_rows: list[int] = []
    for i, profile in enumerate(profiles):
        for ns, values in identity_ids(profile):
            for value in values:
                id_ns.append(ns.lower())
                id_values.append(value)
                id_rows.append(first + i)
    return (profiles_payload, profiles_size, events_payload, events_size,
            [profile_id(p) for p in profiles], id_ns, id_values, id_rows)


def _batch(rows: list[_Columns]
           ) -> pa.RecordBatch:
    columns: list[list[Any]] = [[row[i] for row in rows] for i in range(len(SCHEMA))]
    return pa.RecordBatch.from_arrays(
        [pa.array(col, type=f.type) for col, f in zip(columns, SCHEMA, strict=True)],
        schema=SCHEMA)


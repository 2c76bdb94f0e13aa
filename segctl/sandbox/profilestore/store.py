"""The compact profile store: what a sandbox process keeps of the sample profiles.

A job used to hold one Python dict per profile and per event (100,000 profiles with 1,000,000
events took 2.7 GB). Here the records live as compressed blocks of ``BLOCK_SIZE`` consecutive
profiles (see ``blocks``), and what jobs look up without reading records lives in Arrow
columns: the profile ids, and each identity's lower-cased namespace, id and profile position.
A reader materialises one block at a time (``blocks()``, ``rows()``), so memory holds the
compressed store plus one block, whatever the number of profiles.

The rows decoded are equal, value for value and type for type, to the object path's
(``data.ProfileData``, built by ``profiles.load``), and the PQL evaluator reads them unchanged:
``tests/sandbox/test_store_differential.py`` runs both over the sample.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from segctl import pql
from segctl.sandbox.profilestore import blocks as blockcodec
from segctl.sandbox.profilestore.data import BLOCK_SIZE, Row, find_in_rows

_NO_EVENTS = pql.PreparedEvents([], [])

SCHEMA = pa.schema([
    ("profiles", pa.large_binary()),  # blocks.encode: the block's profiles, compressed
    ("profiles_size", pa.int64()),  # their uncompressed size
    ("events", pa.large_binary()),  # and their events
    ("events_size", pa.int64()),
    ("ids", pa.list_(pa.string())),  # the block's profile ids, in order
    ("identity_ns", pa.list_(pa.string())),  # its identities: lower-cased namespace,
    ("identity_id", pa.list_(pa.string())),  # string id,
    ("identity_row", pa.list_(pa.int64())),  # and position of the profile in the store
])


@dataclass(frozen=True, eq=False)
class ProfileStore:
    """Profiles in file order as compressed blocks (``table`` follows ``SCHEMA``, one row per
    block of ``block_size`` profiles, the last one shorter)."""

    table: pa.Table = field(repr=False)
    event_count: int
    block_size: int = BLOCK_SIZE
    codec: str = blockcodec.CODEC
    starts: tuple[int, ...] = field(init=False, repr=False)  # each block's first position
    size: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        counts = [n for chunk in self.table.column("ids").chunks
                  for n in chunk.value_lengths().to_pylist()]
        starts, total = [], 0
        for n in counts:
            starts.append(total)
            total += n or 0
        object.__setattr__(self, "starts", tuple(starts))
        object.__setattr__(self, "size", total)

    def __len__(self) -> int:
        return self.size

    @property
    def nbytes(self) -> int:
        return int(self.table.nbytes)

    def block(self, index: int, *, events: bool = True) -> list[Row]:
        """The rows of block ``index``, decoded (without ``events``, every profile's events
        are left out: for readers that never look at them)."""
        table = self.table
        ids = table.column("ids")[index].as_py()
        profiles = blockcodec.decode_profiles(self._packed("profiles", index), self.codec)
        if events:
            prepared = blockcodec.decode_events(self._packed("events", index), self.codec)
        else:
            prepared = [_NO_EVENTS] * len(ids)
        return list(zip(ids, profiles, prepared, strict=True))

    def _packed(self, column: str, index: int) -> blockcodec.Packed:
        return (self.table.column(column)[index].as_buffer(),
                self.table.column(f"{column}_size")[index].as_py())

    def blocks(self, *, events: bool = True) -> Iterator[Sequence[Row]]:
        for index in range(self.table.num_rows):
            yield self.block(index, events=events)

    def rows(self) -> Iterator[Row]:
        for rows in self.blocks():
            yield from rows

    def rows_at(self, indices: Iterable[int], *, events: bool = True) -> Iterator[Row]:
        starts = self.starts
        current, rows = -1, []
        for i in indices:
            if not 0 <= i < len(self):
                raise IndexError(i)
            index = bisect_right(starts, i) - 1
            if index != current:
                current, rows = index, self.block(index, events=events)
            yield rows[i - starts[index]]

    def find(self, entity_id: str, namespace: str | None) -> tuple[str, dict[str, Any]] | None:
        import pyarrow.compute as pc  # here: importing it costs every sandbox start ~60 ms

        if namespace:
            hits = pc.and_(pc.equal(self._flat("identity_ns"), namespace.lower()),
                           pc.equal(self._flat("identity_id"), entity_id))
            first = pc.index(hits, True).as_py()
            if first < 0:
                return None
            position = self._flat("identity_row")[first].as_py()
        else:
            position = pc.index(self._flat("ids"), entity_id).as_py()
            if position < 0:
                return None
        row = next(self.rows_at([position]))
        return find_in_rows([row], entity_id, namespace)  # the index only narrows the scan

    def _flat(self, name: str) -> pa.ChunkedArray:
        column = self.table.column(name)
        return pa.chunked_array([chunk.flatten() for chunk in column.chunks],
                                column.type.value_type)

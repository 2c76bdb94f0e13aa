"""Where the sample profiles live on disk, the rows jobs read, and the in-memory object form
(``ProfileData``: one dict per profile and per event) that the compact ``store.ProfileStore``
replaces in the sandbox; both answer the ``Profiles`` protocol, so every consumer (jobs,
exports, previews, the profile look-up) reads either one the same way."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from segctl import pql

PROFILES_DIR = "profiles"
PROFILES_FILE = "profiles.ndjson"
EVENTS_FILE = "events.ndjson"
BLOCK_SIZE = 256  # profiles per block: what a job materialises at a time

# (profile id, profile record, its events sorted with parsed times)
Row = tuple[str, dict[str, Any], "pql.PreparedEvents"]


class Profiles(Protocol):
    """Profiles in file order, each with its events (read-only)."""

    @property
    def event_count(self) -> int: ...

    def __len__(self) -> int: ...

    def blocks(self, *, events: bool = True) -> Iterator[Sequence[Row]]:
        """Every row, a block of consecutive rows at a time; ``events=False`` allows leaving
        every profile's events out (empty), for readers that never look at them."""
        ...

    def rows(self) -> Iterator[Row]: ...

    def rows_at(self, indices: Iterable[int], *, events: bool = True) -> Iterator[Row]:
        """The rows at ascending positions ``indices`` (``events`` as for ``blocks``)."""
        ...

    def find(self, entity_id: str, namespace: str | None) -> tuple[str, dict[str, Any]] | None:
        """The first profile whose id is ``entity_id`` (no namespace) or that has an identity
        ``entity_id`` in ``namespace`` (case-insensitive), as (id, profile)."""
        ...


@dataclass(frozen=True)
class ProfileData:
    """Profiles in file order; ``events[i]`` belongs to ``profiles[i]`` (prepared, sorted)."""

    ids: tuple[str, ...]
    profiles: tuple[dict[str, Any], ...]
    events: tuple[pql.PreparedEvents, ...]
    event_count: int

    def __len__(self) -> int:
        return len(self.ids)

    def rows(self) -> Iterator[Row]:
        return zip(self.ids, self.profiles, self.events, strict=True)

    def blocks(self, *, events: bool = True) -> Iterator[Sequence[Row]]:
        for start in range(0, len(self.ids), BLOCK_SIZE):
            end = start + BLOCK_SIZE
            yield list(zip(self.ids[start:end], self.profiles[start:end],
                           self.events[start:end], strict=True))

    def rows_at(self, indices: Iterable[int], *, events: bool = True) -> Iterator[Row]:
        for i in indices:
            yield self.ids[i], self.profiles[i], self.events[i]

    def find(self, entity_id: str, namespace: str | None) -> tuple[str, dict[str, Any]] | None:
        return find_in_rows(self.rows(), entity_id, namespace)


def find_in_rows(rows: Iterable[Row], entity_id: str, namespace: str | None
                 ) -> tuple[str, dict[str, Any]] | None:
    """``Profiles.find`` by scanning rows (the reference the compact store's index follows)."""
    wanted_ns = namespace.lower() if namespace else None
    for pid, profile, _events in rows:
        if wanted_ns is None:
            if pid == entity_id:
                return pid, profile
            continue
        if any(ns.lower() == wanted_ns and entity_id in ids
               for ns, ids in identity_ids(profile)):
            return pid, profile
    return None


def identity_ids(profile: dict[str, Any]) -> Iterator[tuple[str, list[str]]]:
    """``(namespace, its string ids)`` of a profile's ``identityMap`` (malformed parts are
    no identities)."""
    identity_map = profile.get("identityMap")
    if identity_map.__class__ is not dict:
        return
    for ns, entries in identity_map.items():
        if entries.__class__ is list:
            yield ns, [e["id"] for e in entries
                       if e.__class__ is dict and e.get("id").__class__ is str]


def paths(data_dir: Path) -> tuple[Path, Path]:
    base = Path(data_dir) / PROFILES_DIR
    return base / PROFILES_FILE, base / EVENTS_FILE


def has_sample(data_dir: Path) -> bool:
    return all(p.is_file() for p in paths(data_dir))

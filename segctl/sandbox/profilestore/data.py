"""Where the sample profiles live on disk and the in-memory shape they load into; shared by
the loader (``profiles``) and its prepared on-disk copy (``profile_cache``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from segctl import pql

PROFILES_DIR = "profiles"
PROFILES_FILE = "profiles.ndjson"
EVENTS_FILE = "events.ndjson"


@dataclass(frozen=True)
class ProfileData:
    """Profiles in file order; ``events[i]`` belongs to ``profiles[i]`` (prepared, sorted)."""

    ids: tuple[str, ...]
    profiles: tuple[dict[str, Any], ...]
    events: tuple[pql.PreparedEvents, ...]
    event_count: int

    def __len__(self) -> int:
        return len(self.ids)

    def rows(self) -> Iterator[tuple[str, dict[str, Any], Any]]:
        return zip(self.ids, self.profiles, self.events, strict=True)


def paths(data_dir: Path) -> tuple[Path, Path]:
    base = Path(data_dir) / PROFILES_DIR
    return base / PROFILES_FILE, base / EVENTS_FILE


def has_sample(data_dir: Path) -> bool:
    return all(p.is_file() for p in paths(data_dir))

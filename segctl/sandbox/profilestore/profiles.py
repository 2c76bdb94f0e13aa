"""Sample profiles and ExperienceEvents of the local sandbox.

They live as NDJSON in ``<data>/profiles/`` and are loaded once per process into memory
(profile dicts plus each profile's events, already prepared for the PQL evaluator). The cache is
keyed by the files' size and modification time, so ``segctl sandbox seed`` in another process is
picked up by the next job.
"""

from __future__ import annotations

import contextlib
import gc
import json
import tempfile
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from segctl import pql
from segctl.sandbox.profilestore.data import (
    PROFILES_DIR,
    ProfileData,
    has_sample,
    paths,
)

DEFAULT_PROFILES = 2000
DEFAULT_SEED = 42
_EVENT_OWNER_KEYS = ("profileId", "_profileId", "profile_id")


def profile_id(profile: dict[str, Any]) -> str:
    """A profile's stable id: ``_id``/``id`` or else its first (primary) identity."""
    for key in ("_id", "id", "profileId"):
        if isinstance(profile.get(key), str):
            return str(profile[key])
    identity_map = profile.get("identityMap") or {}
    for namespace, entries in sorted(identity_map.items()):
        for entry in entries or []:
            if isinstance(entry, dict) and entry.get("primary") and entry.get("id"):
                return f"{namespace}:{entry['id']}"
    for namespace, entries in sorted(identity_map.items()):
        for entry in entries or []:
            if isinstance(entry, dict) and entry.get("id"):
                return f"{namespace}:{entry['id']}"
    raise ValueError("profile has no _id and no identity")


def _identity_keys(record: dict[str, Any]) -> list[str]:
    keys = []
    for namespace, entries in (record.get("identityMap") or {}).items():
        for entry in entries or []:
            if isinstance(entry, dict) and entry.get("id"):
                keys.append(f"{namespace}:{entry['id']}")
    return keys


def event_owner(event: dict[str, Any]) -> str | None:
    """The profile an event belongs to: an owner key, else its first identity."""
    for key in _EVENT_OWNER_KEYS:
        value = event.get(key)
        if isinstance(value, str):
            return str(value)
    for namespace, entries in (event.get("identityMap") or {}).items():
        for entry in entries or []:
            if isinstance(entry, dict) and entry.get("id"):
                return f"{namespace}:{entry['id']}"
    return None


@contextlib.contextmanager
def _seed_lock(data_dir: Path) -> Iterator[None]:
    """An advisory lock so two processes never write the sample at the same time."""
    target = Path(data_dir) / PROFILES_DIR
    target.mkdir(parents=True, exist_ok=True)
    with (target / ".seed.lock").open("a+") as handle:
        try:
            import fcntl
        except ImportError:  # no fcntl (Windows): the atomic renames below still hold
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def seed(data_dir: Path, profiles: int, seed_value: int, now: datetime,
         *, only_if_missing: bool = False) -> tuple[Path, Path]:
    """(Re)generate the sample with ``profilestore.sample`` and put it where the loader looks.
    Files are written aside and renamed into place, so a reader never sees half a file."""
    from segctl.sandbox.profilestore import sample

    wanted = paths(data_dir)
    with _seed_lock(data_dir):
        if only_if_missing and has_sample(data_dir):
            return wanted
        with tempfile.TemporaryDirectory(dir=wanted[0].parent, prefix=".seed-") as tmp:
            written = sample.write_sample(Path(tmp), profiles, seed_value, now)
            for src, dst in zip(written, wanted, strict=True):
                Path(src).replace(dst)
    return wanted


_CHUNK_LINES = 20_000


def _decode_chunk(lines: list[str]) -> list[Any]:
    """The records of some NDJSON lines, decoded as one JSON array (one C-decoder call that
    shares key strings); a chunk that is not exactly one value per line is decoded line by
    line, so a bad line raises the same error, at the same line, as reading it alone."""
    try:
        records = json.loads("[" + ",".join(lines) + "]")
    except ValueError:
        records = None
    if records is None or len(records) != len(lines):
        records = [json.loads(line) for line in lines]
    return list(records)


def _read_ndjson(path: Path) -> Iterator[Any]:
    with path.open("r", encoding="utf-8") as fh:
        chunk: list[str] = []
        for line in fh:
            if line.strip():
                chunk.append(line)
                if len(chunk) >= _CHUNK_LINES:
                    yield from _decode_chunk(chunk)
                    chunk = []
        if chunk:
            yield from _decode_chunk(chunk)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Build millions of acyclic dicts without the cyclic garbage collector: it would rescan
    the growing heap again and again while loading (about half of the load time), and then
    once per generation afterwards. Garbage is collected first, and what the load built is
    moved to the collector's permanent generation (``gc.freeze``): the JSON data holds no
    cycles, so reference counting alone frees it when a reload replaces it."""
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def prepare(events: list[dict[str, Any]]) -> Any:
    return pql.prepare_events(events)


def load(data_dir: Path) -> ProfileData:
    """Read both files (no cache) and link each event to its profile."""
    with _gc_paused():
        return _load(data_dir)


def _load(data_dir: Path) -> ProfileData:
    profiles_path, events_path = paths(data_dir)
    ids: list[str] = []
    profiles: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for profile in _read_ndjson(profiles_path):
        pid = profile_id(profile)
        index[pid] = len(ids)
        for alias in _identity_keys(profile):
            index.setdefault(alias, len(ids))
        ids.append(pid)
        profiles.append(profile)
    per_profile: list[list[dict[str, Any]]] = [[] for _ in ids]
    count = 0
    for event in _read_ndjson(events_path):
        owner = event_owner(event)
        slot = index.get(owner) if owner is not None else None
        if slot is not None:
            per_profile[slot].append(event)
            count += 1
    prepared = tuple(prepare(evs) for evs in per_profile)
    return ProfileData(tuple(ids), tuple(profiles), prepared, count)


_cache: dict[Path, tuple[tuple[int, ...], ProfileData]] = {}
_cache_lock = threading.Lock()


def cached(data_dir: Path) -> ProfileData:
    """The profiles of a data directory, loaded at most once per change of the files: from
    memory, else from the prepared copy on disk (see profile_cache), else by parsing the
    NDJSON (and then the prepared copy is written for the next process)."""
    from segctl.sandbox.profilestore import profile_cache

    key = Path(data_dir).resolve()
    with _cache_lock:
        sig = profile_cache.signature(key)
        hit = _cache.get(key)
        if hit is not None and hit[0] == sig:
            return hit[1]
        with _gc_paused():
            data = profile_cache.read(key, sig)
            if data is None:
                data = _load(key)
                if profile_cache.signature(key) == sig:  # not reseeded meanwhile
                    profile_cache.write(key, sig, data)
        _cache[key] = (sig, data)
        return data


def forget(data_dir: Path) -> None:
    with _cache_lock:
        _cache.pop(Path(data_dir).resolve(), None)

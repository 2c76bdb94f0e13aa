"""Sample profiles and ExperienceEvents of the local sandbox.

They live as NDJSON in ``<data>/profiles/``. A sandbox process reads them as the compact store
(``store.ProfileStore``: compressed blocks, decoded one at a time), built once from the NDJSON
and kept beside it on disk (``profile_cache``); the copy in memory is keyed by the files' size,
modification time and inode, so ``segctl sandbox seed`` in another process is picked up by the
next job. ``load`` is the object path (a dict per profile and per event, all in memory): the
reference the store is tested against.
"""

from __future__ import annotations

import contextlib
import gc
import tempfile
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from segctl import pql
from segctl.sandbox.profilestore import ndjson
from segctl.sandbox.profilestore.data import (
    PROFILES_DIR,
    ProfileData,
    has_sample,
    paths,
)
from segctl.sandbox.profilestore.owners import event_owner, identity_keys, profile_id

if TYPE_CHECKING:
    from segctl.sandbox.profilestore.store import ProfileStore


def __getattr__(name: str) -> Any:
    """``ProfileStore`` on first use: the store needs pyarrow, which a command that never
    evaluates a segment (plan, validate) does not import."""
    if name == "ProfileStore":
        from segctl.sandbox.profilestore.store import ProfileStore

        return ProfileStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["DEFAULT_PROFILES", "DEFAULT_SEED", "PROFILES_DIR", "ProfileData", "ProfileStore",
           "cached", "event_owner", "forget", "has_sample", "load", "paths", "profile_id",
           "seed"]

DEFAULT_PROFILES = 2000
DEFAULT_SEED = 42


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


@contextlib.contextmanager
def _gc_paused(*, freeze: bool) -> Iterator[None]:
    """Build millions of acyclic dicts without the cyclic garbage collector: it would rescan
    the growing heap again and again (about half of the object loader's time). With
    ``freeze``, what was built is moved to the collector's permanent generation
    (``gc.freeze``): the JSON data holds no cycles, so reference counting alone frees it."""
    was_enabled = gc.isenabled()
    if freeze:
        gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if was_enabled:
            gc.enable()


def prepare(events: list[dict[str, Any]]) -> Any:
    return pql.prepare_events(events)


def load(data_dir: Path) -> ProfileData:
    """Read both files (no cache) and link each event to its profile."""
    with _gc_paused(freeze=True):
        return _load(data_dir)


def _load(data_dir: Path) -> ProfileData:
    profiles_path, events_path = paths(data_dir)
    ids: list[str] = []
    profiles: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for profile in ndjson.read(profiles_path):
        pid = profile_id(profile)
        index[pid] = len(ids)
        for alias in identity_keys(profile):
            index.setdefault(alias, len(ids))
        ids.append(pid)
        profiles.append(profile)
    per_profile: list[list[dict[str, Any]]] = [[] for _ in ids]
    count = 0
    for event in ndjson.read(events_path):
        owner = event_owner(event)
        slot = index.get(owner) if owner is not None else None
        if slot is not None:
            per_profile[slot].append(event)
            count += 1
    prepared = tuple(prepare(evs) for evs in per_profile)
    return ProfileData(tuple(ids), tuple(profiles), prepared, count)


_cache: dict[Path, tuple[tuple[int, ...], ProfileStore]] = {}
_cache_lock = threading.Lock()


def cached(data_dir: Path) -> ProfileStore:
    """The profiles of a data directory as the compact store, read at most once per change
    of the files: from memory, else from the store file beside the NDJSON (see
    profile_cache), else built from the NDJSON (and then written for the next process)."""
    from segctl.sandbox.profilestore import build, profile_cache

    key = Path(data_dir).resolve()
    with _cache_lock:
        sig = profile_cache.signature(key)
        hit = _cache.get(key)
        if hit is not None and hit[0] == sig:
            return hit[1]
        _cache.pop(key, None)  # the old store goes before the new one is read
        store = profile_cache.read(key, sig)
        if store is None:
            with _gc_paused(freeze=False):
                store = build.build(key)
            if profile_cache.signature(key) == sig:  # not reseeded meanwhile
                profile_cache.write(key, sig, store)
        _cache[key] = (sig, store)
        return store


def forget(data_dir: Path) -> None:
    with _cache_lock:
        _cache.pop(Path(data_dir).resolve(), None)

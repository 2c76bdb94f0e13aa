"""A prepared copy of the sample profiles on disk, so a new process skips the NDJSON parse.

``<data>/profiles/.prepared.marshal`` holds the loaded :class:`ProfileData` (ids, profile
dicts, each profile's events sorted with their parsed times) in :mod:`marshal` form, which
reads back several times faster than JSON and shares repeated key strings. It is keyed by
the NDJSON files' size, modification time and inode plus the Python and marshal versions, and
written aside then renamed into place, so a stale, foreign or half-written copy is never used:
anything that does not match is ignored and the NDJSON is parsed as before. The file holds
only plain data (marshal cannot build arbitrary objects, unlike pickle).
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from segctl.pql import PreparedEvents
from segctl.sandbox.profilestore.data import PROFILES_DIR, ProfileData, paths

CACHE_FILE = ".prepared.marshal"
_FORMAT = ("segctl-profiles", 1, marshal.version, sys.version_info[:3])
_SIZE_BYTES = 4  # the header's length, then the header (format, signature), then the data


def cache_path(data_dir: Path) -> Path:
    return Path(data_dir) / PROFILES_DIR / CACHE_FILE


def signature(data_dir: Path) -> tuple[int, ...]:
    """What identifies one version of the two NDJSON files (raises OSError when missing)."""
    sig: list[int] = []
    for p in paths(data_dir):
        st = p.stat()
        sig.extend((st.st_mtime_ns, st.st_size, st.st_ino))
    return tuple(sig)


def read(data_dir: Path, sig: tuple[int, ...]) -> ProfileData | None:
    """The cached data for files with signature ``sig``; None when absent, stale or damaged."""
    try:
        with cache_path(data_dir).open("rb") as fh:
            size = int.from_bytes(fh.read(_SIZE_BYTES), "big")
            if marshal.loads(fh.read(size)) != (_FORMAT, sig):
                return None
            body = marshal.loads(fh.read())  # from bytes: marshal.load(file) is far slower
    except (OSError, EOFError, ValueError, TypeError):
        return None
    return _from_plain(body)


def write(data_dir: Path, sig: tuple[int, ...], data: ProfileData) -> None:
    """Store ``data`` for files with signature ``sig``; best effort (a read-only or full
    disk only costs the next process a parse)."""
    if not all(isinstance(e, PreparedEvents) for e in data.events):
        return
    target = cache_path(data_dir)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".prepared-", suffix=".tmp")
    try:
        header = marshal.dumps((_FORMAT, sig))
        with os.fdopen(fd, "wb") as fh:
            fh.write(len(header).to_bytes(_SIZE_BYTES, "big"))
            fh.write(header)
            fh.write(marshal.dumps(_to_plain(data)))
        os.replace(tmp, target)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _to_plain(data: ProfileData) -> tuple[Any, ...]:
    return (list(data.ids), list(data.profiles), [e.events for e in data.events],
            [e.times for e in data.events], data.event_count)


def _from_plain(body: Any) -> ProfileData | None:
    try:
        ids, profiles, events, times, count = body
    except (TypeError, ValueError):
        return None
    lists = (ids, profiles, events, times)
    if not all(isinstance(x, list) for x in lists) or not isinstance(count, int):
        return None
    if len({len(x) for x in lists}) != 1:
        return None
    prepared = tuple(PreparedEvents(e, t) for e, t in zip(events, times, strict=True))
    return ProfileData(tuple(ids), tuple(profiles), prepared, count)

"""The compact store on disk, so a new process skips building it from the NDJSON.

``<data>/profiles/.store.arrow`` is an Arrow IPC file of the store's table (``store.SCHEMA``:
compressed blocks plus the id and identity columns). Its schema metadata holds the format,
the NDJSON files' signature (size, modification time and inode of both), the event count,
the block size and the codec; it is written aside then renamed into place, so a stale, foreign
or half-written copy is never used: anything that does not match is ignored and the store is
built again. The blocks hold only plain data (marshal cannot build arbitrary objects, unlike
pickle).
"""

from __future__ import annotations

import contextlib
import json
import marshal
import os
import sys
import tempfile
from pathlib import Path

import pyarrow as pa

from segctl.sandbox.profilestore.data import PROFILES_DIR, paths
from segctl.sandbox.profilestore.store import SCHEMA, ProfileStore

CACHE_FILE = ".store.arrow"
_OLD_FILES = (".prepared.marshal",)  # earlier versions' copies: removed when this one is written
_FORMAT = ["segctl-profile-store", 2, marshal.version, list(sys.version_info[:2])]
_META = b"segctl"


def cache_path(data_dir: Path) -> Path:
    return Path(data_dir) / PROFILES_DIR / CACHE_FILE


def signature(data_dir: Path) -> tuple[int, ...]:
    """What identifies one version of the two NDJSON files (raises OSError when missing)."""
    sig: list[int] = []
    for p in paths(data_dir):
        st = p.stat()
        sig.extend((st.st_mtime_ns, st.st_size, st.st_ino))
    return tuple(sig)


def read(data_dir: Path, sig: tuple[int, ...]) -> ProfileStore | None:
    """The stored store for files with signature ``sig``; None when absent, stale or damaged."""
    try:
        with pa.OSFile(str(cache_path(data_dir)), "rb") as source:
            reader = pa.ipc.open_file(source)
            meta = json.loads((reader.schema.metadata or {}).get(_META, b"null"))
            if not isinstance(meta, dict) or meta.get("format") != _FORMAT \
                    or meta.get("signature") != list(sig):
                return None
            if not reader.schema.remove_metadata().equals(SCHEMA):
                return None
            table = reader.read_all().replace_schema_metadata(None)
        store = ProfileStore(table, int(meta["events"]), int(meta["block_size"]),
                             str(meta["codec"]))
        if len(store) != int(meta["profiles"]) or not pa.Codec.is_available(store.codec):
            return None
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
        return None
    return store


def write(data_dir: Path, sig: tuple[int, ...], store: ProfileStore) -> None:
    """Store ``store`` for files with signature ``sig``; best effort (a read-only or full
    disk only costs the next process a build)."""
    target = cache_path(data_dir)
    meta = {"format": _FORMAT, "signature": list(sig), "events": store.event_count,
            "profiles": len(store), "block_size": store.block_size, "codec": store.codec}
    schema = SCHEMA.with_metadata({_META: json.dumps(meta).encode()})
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".store-", suffix=".tmp")
    os.close(fd)
    try:
        with pa.OSFile(tmp, "wb") as sink, pa.ipc.new_file(sink, schema) as writer:
            writer.write_table(store.table.cast(schema))
        os.replace(tmp, target)
        for old in _OLD_FILES:
            with contextlib.suppress(OSError):
                (target.parent / old).unlink()
    except (OSError, pa.ArrowException):
        with contextlib.suppress(OSError):
            os.unlink(tmp)

"""One apply at a time on a local sandbox: an exclusive lock file in its state directory.

``segctl apply`` holds :func:`apply_lock` from reading the live state to its last job, so a
second apply on the same local sandbox waits up to ``--lock-timeout`` seconds and then refuses
with a message naming the holder (like Terraform's state lock). The lock is an OS advisory lock
(``flock``) on ``<state dir>/apply.lock``: it is released when the holder exits, even when it
is killed, so a crash never leaves a stale lock. A sandbox reached over HTTP cannot be locked
from here; apply re-checks its live fingerprint before the first write instead.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from segctl.errors import SegctlError

LOCK_FILE = "apply.lock"

try:  # POSIX; elsewhere applies are not locked (documented)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class LockedError(SegctlError):
    """Another apply holds the local sandbox; nothing was read or written."""


def _try_lock(handle: IO[str]) -> bool:
    if fcntl is None:  # pragma: no cover - Windows
        return True
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return "another process"
    if not isinstance(info, dict) or "pid" not in info:
        return "another process"
    return f"process {info['pid']} (since {info.get('since', '?')})"


@contextmanager
def apply_lock(state_dir: Path, timeout: float = 0.0, *, poll: float = 0.1) -> Iterator[None]:
    """Hold the apply lock of the local sandbox in ``state_dir`` for the ``with`` block;
    wait at most ``timeout`` seconds for it, then raise :class:`LockedError`."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / LOCK_FILE
    with open(path, "a+", encoding="utf-8") as handle:
        deadline = time.monotonic() + timeout
        while not _try_lock(handle):
            if time.monotonic() >= deadline:
                waited = f" after waiting {timeout:g}s" if timeout else ""
                raise LockedError(
                    f"another segctl apply is running on this local sandbox{waited}: "
                    f"{_holder(path)} holds {path}; nothing was applied",
                    hint="wait for it to finish and run apply again, or pass "
                         "--lock-timeout SECONDS to wait for it")
            time.sleep(poll)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps({"pid": os.getpid(),
                                     "since": datetime.now(UTC).isoformat(timespec="seconds")}))
            handle.flush()
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

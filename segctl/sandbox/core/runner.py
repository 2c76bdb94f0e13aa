"""The background worker that moves segment jobs, export jobs and previews through their real
status values. One worker thread per sandbox instance, one job at a time (AEP does not run two
evaluations of a sandbox concurrently either).

Each unfinished job records its owner (process id and sandbox instance). A job whose owner is
gone (a dead process, a closed instance) is resumed lazily, when the API first reads it (a
status poll, a list, a bulk-get, a cancel): a process that opens the data directory for
something else, like a short command after an interrupted big job, neither starts the old job
nor waits for it at exit, and no job stays PROCESSING forever for the client that waits on it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import traceback
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from segctl.sandbox.core.store import Partition, Store

log = logging.getLogger(__name__)

OWNER_KEY = "__owner"
FINAL_KEY = "__final"  # the end a job reached, held back until its realistic duration passed
READY_KEY = "__readyAt"  # when (sandbox ms) that end becomes visible
TERMINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELLED", "RESULT_READY"})
_LIVE: set[str] = set()
_LIVE_LOCK = threading.Lock()

Executor = Callable[[Any, Partition, str], None]  # (the sandbox, scope, job id); see core.host
# what a job's end publishes besides its own document (an export's batches and dataset),
# run when a held-back end is applied: (the sandbox, scope, the job as it ended)
Finisher = Callable[[Any, Partition, dict[str, Any]], None]


class _Owner(Protocol):
    """What the runner needs of the sandbox it belongs to (its full face is ``core.host.Host``,
    which names the runner, so the runner names only this)."""

    store: Store


def owner_alive(owner: str) -> bool:
    pid_text, _, _instance = owner.partition(":")
    try:
        pid = int(pid_text)
    except ValueError:
        return False
    if pid == os.getpid():
        with _LIVE_LOCK:
            return owner in _LIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class JobRunner:
    def __init__(self, app: _Owner, executors: dict[str, Executor],
                 finishers: dict[str, Finisher] | None = None):
        self.app = app
        self.executors = executors
        self.finishers = dict(finishers or {})
        self.owner = f"{os.getpid()}:{uuid.uuid4().hex}"
        self._queue: queue.Queue[tuple[str, Partition, str] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._idle = threading.Event()
        self._idle.set()
        with _LIVE_LOCK:
            _LIVE.add(self.owner)

    def submit(self, kind: str, scope: Partition, rid: str) -> None:
        with self._lock:
            if self._closed:
                return
            self._idle.clear()
            self._queue.put((kind, scope, rid))
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="segctl-sandbox-jobs",
                                                daemon=True)
                self._thread.start()

    def resume(self, kind: str, scope: Partition, doc: dict[str, Any]) -> bool:
        """Claim and re-queue ``doc`` (a job of ``kind`` just read through the API) when it is
        unfinished and its owner is no longer running; True when it was resumed."""
        if kind not in self.executors or self._closed or FINAL_KEY in doc:
            return False  # a job whose end is only held back has nothing left to run
        status = doc.get("status") or doc.get("state")
        if status in TERMINAL or owner_alive(str(doc.get(OWNER_KEY, ""))):
            return False
        rid = str(doc["id"] if "id" in doc else doc["previewId"])
        if not self._claim(kind, scope, rid, doc.get(OWNER_KEY)):
            return False
        self.submit(kind, scope, rid)
        return True

    def refresh(self, kind: str, scope: Partition, doc: dict[str, Any], now_ms: int
                ) -> dict[str, Any]:
        """``doc`` as the API should show it now: its held-back end applied once its time
        came (realistic timing), and resumed if its owner is gone."""
        held = FINAL_KEY in doc
        doc = settle(self.app.store, kind, scope, doc, now_ms)
        if held and FINAL_KEY not in doc and doc.get("status") == "SUCCEEDED" \
                and kind in self.finishers:
            self.finishers[kind](self.app, scope, doc)
        self.resume(kind, scope, doc)
        return doc

    def recover(self) -> int:
        """Claim and re-queue every unfinished job whose owner is no longer running (the eager
        form of ``resume``, for tools that want all of them back at once)."""
        claimed = 0
        for kind in self.executors:
            for scope, doc in self.app.store.all_scopes(kind):
                status = doc.get("status") or doc.get("state")
                if status in TERMINAL or owner_alive(str(doc.get(OWNER_KEY, ""))):
                    continue
                rid = str(doc["id"] if "id" in doc else doc["previewId"])
                if self._claim(kind, scope, rid, doc.get(OWNER_KEY)):
                    self.submit(kind, scope, rid)
                    claimed += 1
        return claimed

    def _claim(self, kind: str, scope: Partition, rid: str, old_owner: Any) -> bool:
        with self.app.store.write():
            doc = self.app.store.get(kind, scope, rid)
            if doc is None or doc.get(OWNER_KEY) != old_owner:
                return False  # another process claimed it first
            doc[OWNER_KEY] = self.owner
            self.app.store.put(kind, scope, rid, doc)
            return True

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._closed:  # stop after the current job; the rest is recovered later
                return
            kind, scope, rid = item
            try:
                self.executors[kind](self.app, scope, rid)
            except Exception:  # never let one job kill the worker; the job records the failure
                if self._closed:  # the sandbox closed under the job: the next one resumes it
                    log.debug("sandbox job %s %s stopped by close", kind, rid)
                    continue
                log.error("sandbox job %s %s crashed:\n%s", kind, rid, traceback.format_exc())
                with contextlib.suppress(Exception):
                    self._mark_failed(kind, scope, rid)
            finally:
                if self._queue.empty():
                    self._idle.set()

    def _mark_failed(self, kind: str, scope: Partition, rid: str) -> None:
        doc = self.app.store.get(kind, scope, rid)
        if doc is not None and doc.get("status") not in TERMINAL:
            doc["status"] = "FAILED"
            doc.setdefault("errors", []).append(
                {"code": "0100000003", "msg": "Internal error in the local sandbox",
                 "callStack": ""})
            self.app.store.put(kind, scope, rid, doc)

    @property
    def closing(self) -> bool:
        """True once ``close`` began: a running job stops at its next step, unfinished, and the
        next sandbox that opens this data directory resumes it."""
        return self._closed

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every submitted job has finished (tests and the benchmark use this)."""
        return self._idle.wait(timeout)

    def close(self) -> None:
        """Stop taking jobs. A job still running gets a few seconds; jobs left unfinished
        are resumed by the next sandbox that opens this data directory."""
        with self._lock:
            self._closed = True
            thread = self._thread
            self._queue.put(None)
        if thread is not None:
            thread.join(timeout=5)
        with _LIVE_LOCK:
            _LIVE.discard(self.owner)


def settle(store: Store, kind: str, scope: Partition, doc: dict[str, Any], now_ms: int
           ) -> dict[str, Any]:
    """Apply a job's held-back end (``FINAL_KEY``) when its ready time has come, or at once
    when it was cancelled meanwhile; its total time then ends at the ready time."""
    if FINAL_KEY not in doc:
        return doc
    cancelling = doc.get("status") in ("CANCELLING", "CANCELLED")
    if not cancelling and now_ms < int(doc[READY_KEY]):
        return doc
    with store.write():
        current = store.get(kind, scope, str(doc.get("id", "")))
        if current is None or FINAL_KEY not in current:
            return current or doc
        final = current.pop(FINAL_KEY)
        ready = int(current.pop(READY_KEY))
        if current.get("status") in ("CANCELLING", "CANCELLED"):
            current["status"] = "CANCELLED"
            ready = now_ms
        else:
            for key, value in final.items():
                if key == "metrics":
                    current.setdefault("metrics", {}).update(value)
                else:
                    current[key] = value
            total = (current.get("metrics") or {}).get("totalTime")
            if isinstance(total, dict) and "startTimeInMs" in total:
                total.update({"endTimeInMs": ready,
                              "totalTimeInMs": ready - int(total["startTimeInMs"])})
        current["updateTime"] = ready
        if "updateEpoch" in current:
            current["updateEpoch"] = ready // 1000
        store.put(kind, scope, str(current["id"]), current)
        return current

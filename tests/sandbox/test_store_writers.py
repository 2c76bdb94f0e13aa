"""Writers of one process queue on a lock for the sandbox's SQLite store instead of meeting
SQLite's busy lock, whose handler sleeps 1, 2, 5 ... 100 ms between tries (issue 16: served
creates at concurrency 8 were 2.5x slower than one after another)."""

from __future__ import annotations

import threading
from pathlib import Path

from segctl.sandbox.core.store import Partition, Store

SCOPE = Partition("ORG@AdobeOrg", "prod")


def test_concurrent_writers_of_one_process_never_meet_the_busy_lock(tmp_path: Path) -> None:
    store = Store(tmp_path)
    threads, per_thread = 8, 40
    ready = threading.Barrier(threads, timeout=30)
    errors: list[BaseException] = []

    def writer(t: int) -> None:
        try:
            with store.write() as db:  # this thread's connection: no waiting in SQLite at all
                db.execute("PRAGMA busy_timeout=0")
            ready.wait()
            for i in range(per_thread):
                store.put("thing", SCOPE, f"{t}-{i}", {"n": i}, name=f"{t}-{i}")
        except BaseException as err:  # "database is locked" without the lock
            errors.append(err)

    workers = [threading.Thread(target=writer, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    store.close()
    assert errors == []
    reopened = Store(tmp_path)
    assert reopened.count("thing", SCOPE) == threads * per_thread
    reopened.close()

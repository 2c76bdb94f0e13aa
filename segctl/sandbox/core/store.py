"""Persistent state of the local sandbox: one SQLite file in the data directory.

WAL mode lets readers (status polls) run while a job writes; every thread gets its own
connection, and writes run inside ``BEGIN IMMEDIATE`` transactions so concurrent requests
(the threaded server) and several processes on the same directory stay consistent.

Resources are JSON documents keyed by (kind, org, sandbox, id); memberships are one JSON blob
per (org, sandbox, segment) so a job over 100k profiles writes a handful of rows, not millions.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii as _json_string
from pathlib import Path
from typing import Any

from segctl import jsonio

_SCHEMA = """
CREATE TABLE IF NOT EXISTS resources (
    kind TEXT NOT NULL, org TEXT NOT NULL, sandbox TEXT NOT NULL, id TEXT NOT NULL,
    name TEXT, created INTEGER NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (kind, org, sandbox, id)
);
CREATE INDEX IF NOT EXISTS resources_by_name ON resources (kind, org, sandbox, name);
CREATE INDEX IF NOT EXISTS resources_by_created ON resources (kind, org, sandbox, created, seq);
CREATE TABLE IF NOT EXISTS tokens (
    digest TEXT PRIMARY KEY, client_id TEXT NOT NULL, expires INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS memberships (
    org TEXT NOT NULL, sandbox TEXT NOT NULL, segment_id TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (org, sandbox, segment_id)
);
"""

DB_NAME = "sandbox.db"


class _Connection(sqlite3.Connection):
    """A subclass only so connections can be tracked weakly: a request thread's connection
    is closed when the thread ends, instead of piling up in a long-running server. ``serial``
    tells connections apart for ``Store.generation`` (an ``id()`` may be reused)."""

    serial = 0


_SERIALS = itertools.count(1)


@dataclass(frozen=True)
class Partition:
    """The partition every resource lives in: an IMS org and a sandbox name (named apart from
    the PQL compiler's lexical ``Scope``)."""

    org: str
    sandbox: str


def token_digest(token: str) -> str:
    """Tokens are stored hashed: the database never holds a usable credential."""
    return hashlib.sha256(token.encode()).hexdigest()


class Store:
    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.data_dir / DB_NAME
        self._local = threading.local()
        self._all: weakref.WeakSet[_Connection] = weakref.WeakSet()
        self._all_lock = threading.Lock()
        self._commits = 0  # write transactions committed through this Store
        self._commits_lock = threading.Lock()
        # one writer of this process at a time waits here, not in SQLite's busy handler,
        # whose sleeps (1, 2, 5 ... 100 ms) made concurrent creates over HTTP 2.5x slower
        # than one after another (issue 16); other processes still meet busy_timeout
        self._write_lock = threading.Lock()
        self._conn().executescript(_SCHEMA)

    # -- connections and transactions ------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None,
                                   check_same_thread=False, factory=_Connection)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            conn.serial = next(_SERIALS)
            self._local.conn = conn
            with self._all_lock:
                self._all.add(conn)
        return conn

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (BEGIN IMMEDIATE: takes the write lock up front)."""
        conn = self._conn()
        if conn.in_transaction:  # nested use inside one transaction
            yield conn
            return
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        with self._commits_lock:
            self._commits += 1

    def generation(self) -> tuple[int, int, int]:
        """A value that changes whenever the database may have changed since the last call on
        this thread: the connection, SQLite's ``data_version`` on it (commits by any other
        connection or process) and this Store's own commits. For caches of values derived from
        many documents; connections are numbered across every Store of the process, so two
        Stores never share a generation."""
        conn = self._conn()
        version = int(conn.execute("PRAGMA data_version").fetchone()[0])
        return getattr(conn, "serial", 0), version, self._commits

    def release_thread(self) -> None:
        """Close this thread's connection now (a served request's thread is ending). Left to
        the thread's end, the connection is only closed once the cyclic collector runs."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            return
        self._local.conn = None
        with self._all_lock:
            self._all.discard(conn)
        with contextlib.suppress(sqlite3.Error):
            conn.close()

    def close(self) -> None:
        with self._all_lock:
            for conn in list(self._all):
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._all = weakref.WeakSet()
        self._local = threading.local()

    # -- resources ---------------------------------------------------------------------------
    def get(self, kind: str, scope: Partition, rid: str) -> dict[str, Any] | None:
        row = self._conn().execute(
            "SELECT body FROM resources WHERE kind=? AND org=? AND sandbox=? AND id=?",
            (kind, scope.org, scope.sandbox, rid)).fetchone()
        return jsonio.loads(row[0]) if row else None

    def find_by_name(self, kind: str, scope: Partition, name: str) -> dict[str, Any] | None:
        row = self._conn().execute(
            "SELECT body FROM resources WHERE kind=? AND org=? AND sandbox=? AND name=?",
            (kind, scope.org, scope.sandbox, name)).fetchone()
        return jsonio.loads(row[0]) if row else None

    def all(self, kind: str, scope: Partition) -> list[dict[str, Any]]:
        """All resources of a kind, oldest first (creation order)."""
        rows = self._conn().execute(
            "SELECT body FROM resources WHERE kind=? AND org=? AND sandbox=? ORDER BY seq",
            (kind, scope.org, scope.sandbox)).fetchall()
        return [jsonio.loads(r[0]) for r in rows]

    def items(self, kind: str, scope: Partition) -> list[tuple[str, dict[str, Any]]]:
        rows = self._conn().execute(
            "SELECT id, body FROM resources WHERE kind=? AND org=? AND sandbox=? ORDER BY seq",
            (kind, scope.org, scope.sandbox)).fetchall()
        return [(r[0], jsonio.loads(r[1])) for r in rows]

    def count(self, kind: str, scope: Partition) -> int:
        row = self._conn().execute(
            "SELECT COUNT(*) FROM resources WHERE kind=? AND org=? AND sandbox=?",
            (kind, scope.org, scope.sandbox)).fetchone()
        return int(row[0])

    def page_by_created(self, kind: str, scope: Partition, *, descending: bool, offset: int,
                        limit: int) -> list[dict[str, Any]]:
        """``limit`` resources from ``offset`` in the order of the ``created`` column, ties in
        creation order (both reversed when ``descending``): ordered and cut in SQL on an index,
        so only the page's bodies are decoded."""
        direction = "DESC" if descending else "ASC"
        rows = self._conn().execute(
            "SELECT body FROM resources WHERE kind=? AND org=? AND sandbox=? "
            f"ORDER BY created {direction}, seq {direction} LIMIT ? OFFSET ?",
            (kind, scope.org, scope.sandbox, limit, offset)).fetchall()
        return [jsonio.loads(r[0]) for r in rows]

    def order_by_created(self, kinds: tuple[str, ...], scope: Partition, *, descending: bool
                         ) -> list[int]:
        """The row ids of every resource of ``kinds`` in the order of the ``created`` column,
        ties in creation order (both reversed when ``descending``): read from the index alone,
        nothing decoded. With :meth:`bodies_of`, a list's pages are cut from one ordering
        instead of sorting the rows again for each page."""
        direction = "DESC" if descending else "ASC"
        marks = ",".join("?" * len(kinds))
        rows = self._conn().execute(
            f"SELECT rowid FROM resources WHERE kind IN ({marks}) AND org=? AND sandbox=? "
            f"ORDER BY created {direction}, seq {direction}",
            (*kinds, scope.org, scope.sandbox)).fetchall()
        return [r[0] for r in rows]

    def bodies_of(self, rowids: list[int]) -> list[tuple[str, dict[str, Any]]]:
        """(kind, body) of each row id that still exists, in the order given."""
        if not rowids:
            return []
        marks = ",".join("?" * len(rowids))
        rows = self._conn().execute(
            f"SELECT rowid, kind, body FROM resources WHERE rowid IN ({marks})",
            rowids).fetchall()
        found = {r[0]: (r[1], r[2]) for r in rows}
        return [(found[i][0], jsonio.loads(found[i][1])) for i in rowids if i in found]

    def fields_where_contains(self, kind: str, scope: Partition, fields: tuple[str, ...],
                              needle: str) -> list[tuple[str, tuple[str | None, ...]]]:
        """(id, the JSON text of each top-level field in ``fields``, None where absent) of the
        resources of a kind whose stored JSON contains ``needle``, oldest first: found and cut
        in SQL, nothing decoded. ``fields`` name object or array fields (``json_extract``
        gives those as JSON text)."""
        columns = ", ".join("json_extract(body, ?)" for _ in fields)
        rows = self._conn().execute(
            f"SELECT id, {columns} FROM resources WHERE kind=? AND org=? AND "
            "sandbox=? AND instr(body, ?) > 0 ORDER BY seq",
            (*(f"$.{name}" for name in fields), kind, scope.org, scope.sandbox,
             needle)).fetchall()
        return [(str(r[0]), tuple(None if v is None else v if isinstance(v, str)
                                  else json.dumps(v) for v in r[1:])) for r in rows]

    def all_scopes(self, kind: str) -> list[tuple[Partition, dict[str, Any]]]:
        rows = self._conn().execute(
            "SELECT org, sandbox, body FROM resources WHERE kind=? ORDER BY seq",
            (kind,)).fetchall()
        return [(Partition(r[0], r[1]), jsonio.loads(r[2])) for r in rows]

    def sandboxes_holding(self, org: str, kinds: tuple[str, ...]) -> list[str]:
        """The names of ``org``'s sandboxes that hold a resource of one of ``kinds``, sorted."""
        marks = ",".join("?" * len(kinds))
        rows = self._conn().execute(
            f"SELECT DISTINCT sandbox FROM resources WHERE kind IN ({marks}) AND org=? "
            "AND sandbox != ''", (*kinds, org)).fetchall()
        return sorted(str(r[0]) for r in rows)

    def put(self, kind: str, scope: Partition, rid: str, body: dict[str, Any],
            *, name: str | None = None, created: int = 0) -> None:
        """Insert or replace, keeping the original creation order of an existing row."""
        with self.write() as db:
            row = db.execute(
                "SELECT seq, created FROM resources WHERE kind=? AND org=? AND sandbox=? AND id=?",
                (kind, scope.org, scope.sandbox, rid)).fetchone()
            if row:
                db.execute(
                    "UPDATE resources SET name=?, body=? WHERE kind=? AND org=? AND sandbox=?"
                    " AND id=?", (name, json.dumps(body), kind, scope.org, scope.sandbox, rid))
            else:
                seq = self._next(db, "seq")
                db.execute("INSERT INTO resources VALUES (?,?,?,?,?,?,?,?)",
                           (kind, scope.org, scope.sandbox, rid, name, created, seq,
                            json.dumps(body)))

    def delete(self, kind: str, scope: Partition, rid: str) -> bool:
        with self.write() as db:
            cur = db.execute("DELETE FROM resources WHERE kind=? AND org=? AND sandbox=? AND id=?",
                             (kind, scope.org, scope.sandbox, rid))
            return cur.rowcount > 0

    def next_value(self, counter: str, start: int = 1) -> int:
        with self.write() as db:
            return self._next(db, counter, start)

    def value(self, counter: str, default: int = 0) -> int:
        """A named integer setting (the sandbox clock's offset, one-time seeding flags)."""
        row = self._conn().execute("SELECT value FROM counters WHERE name=?",
                                   (counter,)).fetchone()
        return int(row[0]) if row else default

    def set_value(self, counter: str, value: int) -> None:
        with self.write() as db:
            db.execute("INSERT OR REPLACE INTO counters VALUES (?, ?)", (counter, int(value)))

    @staticmethod
    def _next(db: sqlite3.Connection, counter: str, start: int = 1) -> int:
        row = db.execute("SELECT value FROM counters WHERE name=?", (counter,)).fetchone()
        value = row[0] + 1 if row else start
        db.execute("INSERT OR REPLACE INTO counters VALUES (?, ?)", (counter, value))
        return int(value)

    # -- tokens ------------------------------------------------------------------------------
    def add_token(self, token: str, client_id: str, expires_ms: int) -> None:
        with self.write() as db:
            db.execute("INSERT OR REPLACE INTO tokens VALUES (?,?,?)",
                       (token_digest(token), client_id, expires_ms))

    def token_client(self, token: str, now_ms: int) -> str | None:
        row = self._conn().execute("SELECT client_id, expires FROM tokens WHERE digest=?",
                                   (token_digest(token),)).fetchone()
        if row is None or row[1] <= now_ms:
            return None
        return str(row[0])

    # -- memberships -------------------------------------------------------------------------
    def memberships(self, scope: Partition, segment_id: str) -> dict[str, list[Any]]:
        """profile id -> [status, lastQualificationTime ms] for one segment."""
        row = self._conn().execute(
            "SELECT body FROM memberships WHERE org=? AND sandbox=? AND segment_id=?",
            (scope.org, scope.sandbox, segment_id)).fetchone()
        return jsonio.loads(row[0]) if row else {}

    def put_memberships(self, scope: Partition, results: dict[str, dict[str, list[Any]]]) -> None:
        with self.write() as db:
            # a generator: one segment's JSON at a time (a large job's would not fit at once)
            db.executemany("INSERT OR REPLACE INTO memberships VALUES (?,?,?,?)",
                           ((scope.org, scope.sandbox, sid, membership_json(body))
                            for sid, body in results.items()))

    def drop_memberships(self, scope: Partition, segment_id: str) -> None:
        with self.write() as db:
            db.execute("DELETE FROM memberships WHERE org=? AND sandbox=? AND segment_id=?",
                       (scope.org, scope.sandbox, segment_id))


def membership_json(body: dict[str, list[Any]]) -> str:
    """``json.dumps(body, separators=(",", ":"))``, character for character, in about half
    the time for a large segment: each distinct entry object (a job shares one per status)
    is encoded once, and the ids with the C string encoder ``json.dumps`` itself uses."""
    if not all(key.__class__ is str for key in body):
        return json.dumps(body, separators=(",", ":"))
    texts: dict[int, str] = {}
    parts = []
    for key, entry in body.items():
        text = texts.get(id(entry))
        if text is None:
            text = texts[id(entry)] = json.dumps(entry, separators=(",", ":"))
        parts.append(f"{_json_string(key)}:{text}")
    return "{" + ",".join(parts) + "}"

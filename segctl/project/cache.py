"""What loading a project learnt, kept between runs and keyed by content.

Two results are kept: each file's text and documents as read (values, positions and the
problems of reading it), keyed by the sha256 of its bytes; and each PQL text's check (the
segment keys it refers to and its canonical text, or the error with its position), keyed by
the text. A file or a rule that changed has another key, so it is read again; everything else
is taken as it was. Locations are kept as 0-based line and column and made into
:class:`~segctl.errors.Location` for the file as it is named in this run, so a diagnostic from
the cache is the one a fresh read gives.

A snapshot of each file's stat says which files need not even be opened (see
:class:`LoadCache`): their sha256 is the recorded one, so their text, documents and the
project hash come from the cache.

The cache is one ``marshal`` file per project folder (plain data: unlike a pickle, loading it
runs no code; like anything in the user's cache folder it is trusted as the user's own) in
``$SEGCTL_CACHE_DIR``, else ``$XDG_CACHE_HOME/segctl``, else ``~/.cache/segctl``; setting
``SEGCTL_CACHE_DIR`` to an empty string turns it off. Its key includes a digest of the code
that produces the cached results (the YAML reader and the PQL package) and of PyYAML's version,
so a new segctl never reads an old cache. Any problem with the cache (unreadable, corrupt, not
writable) only means the project is read without it.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import marshal
import os
import struct
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from stat import S_ISREG
from typing import Any

from segctl.errors import Diagnostic, Location
from segctl.project.source import FileNames, RawDocument, SourceFile, read_source

ENV_DIR = "SEGCTL_CACHE_DIR"
_FORMAT = 3
_PACKAGE = Path(__file__).resolve().parents[1]


@cache
def _code_digest() -> str:
    """A digest of the code whose results are kept: reading YAML and checking PQL, and the
    PyYAML installed (its ``__init__.py``, which names its version, found without importing
    it: a load that reads nothing never imports PyYAML)."""
    digest = hashlib.sha256(f"{_FORMAT}:{sys.version_info[:2]}".encode())
    spec = importlib.util.find_spec("yaml")
    digest.update(Path(spec.origin).read_bytes() if spec and spec.origin else b"no yaml")
    for folder in ("project", "pql"):
        for path in sorted((_PACKAGE / folder).glob("*.py")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:32]


def cache_dir() -> Path | None:
    """Where caches go (None: turned off)."""
    configured = os.environ.get(ENV_DIR)
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "segctl"


@dataclass(frozen=True)
class PqlResult:
    """A rule's check: the ``inSegment`` references when it parsed (None when it did not), the
    error (message, character offset, 1-based line and column in the text) if any, and the
    canonical text (``pql.to_text`` of the tree: what the plan compares and apply writes) when
    it parsed."""

    refs: tuple[str, ...] | None
    error: tuple[str, int | None, int | None, int | None] | None
    canonical: str | None = None


#: a file whose modification (or inode change) time is not older than this before the moment
#: the last load began is read even when its stat is as recorded (git's "racily clean"
#: entries): it may have changed again within the file system's timestamp granularity
RACY_MARGIN_NS = 2_000_000_000
_clock = time.time_ns  # the moment a load begins (the tests move it)

#: a file's recorded stat (:func:`stat_key`, packed) and then the sha256 of its bytes
_STAT = struct.Struct("<qQQqQ")


def stat_key(st: os.stat_result) -> tuple[int, int, int, int, int]:
    """What must be as recorded for a file to be taken as unchanged without reading it:
    modification time, size, inode, inode change time, device."""
    return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns, st.st_dev)


def _packed(st: os.stat_result) -> bytes:
    return _STAT.pack(*stat_key(st))


class LoadCache:
    """The results of one project folder's last load, and those of this one.

    Besides the results keyed by content it keeps a snapshot, as git's index does: each
    regular file's stat (:func:`stat_key`) and the sha256 of its bytes (packed into one
    ``bytes``), by the name the file was found under. A file whose stat is as recorded, and
    was not modified within :data:`RACY_MARGIN_NS` of the moment the recording load began, is
    not opened: its text and documents come from the cache. Symbolic links are always read.
    """

    def __init__(self, path: Path | None, files: dict[bytes, Any], rules: dict[str, Any],
                 stats: dict[str, bytes] | None = None, stamp: int = 0):
        self.path = path
        self._old_files, self._old_rules = files, rules
        self._old_stats = stats or {}
        self._old_stamp = stamp  # when the load that wrote the cache began (ns since the epoch)
        self._stamp = _clock()  # when this one began: before any file is looked at
        # a file modified (or its inode changed) this late is "racily clean": read again
        self._trusted_before = stamp - RACY_MARGIN_NS
        self._files: dict[bytes, Any] = {}
        self._rules: dict[str, Any] = {}
        self._stats: dict[str, bytes] = {}
        self._missed = False
        self._learnt = False  # a file was read that the next load can take from the cache

    @classmethod
    def open(cls, root: Path) -> LoadCache:
        """The cache of the project at ``root`` (empty when there is none or it is off)."""
        folder = cache_dir()
        if folder is None:
            return cls(None, {}, {})
        name = hashlib.sha256(os.path.realpath(root).encode()).hexdigest()[:24]
        path = folder / f"load-{name}.marshal"
        try:
            content = marshal.loads(path.read_bytes())
            if isinstance(content, dict) and content.get("code") == _code_digest():
                return cls(path, dict(content["files"]), dict(content["rules"]),
                           dict(content["stats"]), int(content["stamp"]))
        except (OSError, EOFError, ValueError, TypeError, KeyError):
            pass
        return cls(path, {}, {})

    # ---- files ------------------------------------------------------------------------------

    def read(self, name: str, path: Path, root: Path, names: FileNames
             ) -> tuple[SourceFile, list[RawDocument | Diagnostic]] | Diagnostic:
        """The file ``name`` (``path``) with its documents and problems (or why it cannot be
        read): taken from the cache without opening it when its stat is as recorded, else
        read."""
        try:
            st: os.stat_result | None = os.lstat(name)
        except OSError:
            st = None  # reading it says why
        regular = st is not None and S_ISREG(st.st_mode)
        if st is not None and regular:
            known = self._unchanged(name, path, st, names)
            if known is not None:
                return known
        source = read_source(path, root, names)
        if isinstance(source, Diagnostic):
            return source
        if st is not None and regular:  # stat taken before reading: a later change shows
            self._record(name, st, source.sha256)
        # PyYAML loads here, with the first file the cache cannot answer for
        from segctl.project.yamlread import parse_documents

        return source, self.documents(source, parse_documents(source))

    def _unchanged(self, name: str, path: Path, st: os.stat_result, names: FileNames
                   ) -> tuple[SourceFile, list[RawDocument | Diagnostic]] | None:
        entry = self._old_stats.get(name)
        if entry is None or entry[:_STAT.size] != _packed(st) \
                or max(st.st_mtime_ns, st.st_ctime_ns) >= self._trusted_before:
            return None
        sha = entry[_STAT.size:]
        kept = self._old_files.get(sha)
        if kept is None:
            return None
        text, items = kept
        display, relative = names.of(name, link=False)
        source = SourceFile.known(path, display, relative, st.st_size, sha, text)
        self._stats[name] = entry
        self._files[sha] = kept
        return source, [_thaw(source, item) for item in items]

    def _record(self, name: str, st: os.stat_result, sha: bytes) -> None:
        self._stats[name] = _packed(st) + sha
        if max(st.st_mtime_ns, st.st_ctime_ns) < self._stamp - RACY_MARGIN_NS:
            self._learnt = True  # the next load can trust it

    def documents(self, source: SourceFile, read: Iterable[RawDocument | Diagnostic]
                  ) -> list[RawDocument | Diagnostic]:
        """The documents and problems of ``source``: kept ones, else ``read`` (consumed and
        kept)."""
        key = source.sha256
        kept = self._old_files.get(key)
        if kept is not None:
            self._files[key] = kept
            return [_thaw(source, item) for item in kept[1]]
        self._missed = True
        items = list(read)
        self._files[key] = (source.text, [_freeze(item) for item in items])
        return items

    # ---- checks of PQL rules ----------------------------------------------------------------

    def rule(self, text: str) -> PqlResult | None:
        kept = self._old_rules.get(text)
        if kept is None:
            return None
        self._rules[text] = kept
        refs, error, canonical = kept
        return PqlResult(None if refs is None else tuple(refs),
                         None if error is None else tuple(error), canonical)

    def keep_rule(self, text: str, result: PqlResult) -> None:
        self._missed = True
        self._rules[text] = (result.refs, result.error, result.canonical)

    def save(self) -> None:
        """Write what this load used (what it no longer uses is dropped), if it learnt
        anything; failures to write are ignored (the next load reads without the cache)."""
        unchanged = not self._missed and not self._learnt \
            and len(self._files) == len(self._old_files) \
            and len(self._rules) == len(self._old_rules) \
            and len(self._stats) == len(self._old_stats)
        if self.path is None or unchanged:
            return
        content = {"code": _code_digest(), "stamp": self._stamp, "stats": self._stats,
                   "files": self._files, "rules": self._rules}
        temporary: str | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".load-")
            with os.fdopen(handle, "wb") as out:
                marshal.dump(content, out)
            os.replace(temporary, self.path)
        except (OSError, ValueError):  # read-only home, a value marshal cannot write ...
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)


def _freeze(item: RawDocument | Diagnostic) -> tuple[Any, ...]:
    if isinstance(item, Diagnostic):
        where = item.location
        return ("problem", item.message, item.severity,
                None if where.line is None else where.line - 1,
                None if where.col is None else where.col - 1)
    start = item.start
    positions = item.positions
    return ("document", item.index, item.data,
            ((start.line or 1) - 1, (start.col or 1) - 1, start.source_line),
            positions if isinstance(positions, bytes) else marshal.dumps(positions))


def _thaw(source: SourceFile, item: tuple[Any, ...]) -> RawDocument | Diagnostic:
    if item[0] == "problem":
        _, message, severity, line0, col0 = item
        where = source.whole() if line0 is None else source.location(line0, col0 or 0)
        return Diagnostic(message, where, severity)
    _, index, data, (line0, col0, source_line), positions = item
    return RawDocument(source, index, data,
                       Location(source.display, line0 + 1, col0 + 1, source_line), positions)

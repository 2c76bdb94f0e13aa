"""What loading a project learnt, kept between runs and keyed by content.

Two results are kept: each file's documents as read (values, positions and the problems of
reading it), keyed by the sha256 of its bytes; and each PQL text's check (the segment keys it
refers to and its canonical text, or the error with its position), keyed by the text. A file
or a rule that changed has another key, so it is read again; everything else is taken as it
was. Locations are kept as 0-based line and column and made into
:class:`~segctl.errors.Location` for the file as it is named in this run, so a diagnostic from
the cache is the one a fresh read gives.

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
import marshal
import os
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from segctl.errors import Diagnostic
from segctl.project.source import RawDocument, SourceFile

ENV_DIR = "SEGCTL_CACHE_DIR"
_FORMAT = 2
_PACKAGE = Path(__file__).resolve().parents[1]


@cache
def _code_digest() -> str:
    """A digest of the code whose results are kept: reading YAML and checking PQL."""
    digest = hashlib.sha256(f"{_FORMAT}:{yaml.__version__}:{sys.version_info[:2]}".encode())
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


class LoadCache:
    """The results of one project folder's last load, and those of this one."""

    def __init__(self, path: Path | None, files: dict[str, Any], rules: dict[str, Any]):
        self.path = path
        self._old_files, self._old_rules = files, rules
        self._files: dict[str, Any] = {}
        self._rules: dict[str, Any] = {}
        self._missed = False

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
                return cls(path, dict(content["files"]), dict(content["rules"]))
        except (OSError, EOFError, ValueError, TypeError, KeyError):
            pass
        return cls(path, {}, {})

    # ---- documents of a file ----------------------------------------------------------------

    def documents(self, source: SourceFile, read: Iterable[RawDocument | Diagnostic]
                  ) -> list[RawDocument | Diagnostic]:
        """The documents and problems of ``source``: kept ones, else ``read`` (consumed and
        kept)."""
        key = hashlib.sha256(source.data).hexdigest()
        kept = self._old_files.get(key)
        if kept is not None:
            self._files[key] = kept
            return [_thaw(source, item) for item in kept]
        self._missed = True
        items = list(read)
        self._files[key] = [_freeze(item) for item in items]
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
        unchanged = not self._missed and len(self._files) == len(self._old_files) \
            and len(self._rules) == len(self._old_rules)
        if self.path is None or unchanged:
            return
        content = {"code": _code_digest(), "files": self._files, "rules": self._rules}
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
    start = ((item.start.line or 1) - 1, (item.start.col or 1) - 1)
    return ("document", item.index, item.data, start, item.values, item.keys, item.scalars)


def _thaw(source: SourceFile, item: tuple[Any, ...]) -> RawDocument | Diagnostic:
    if item[0] == "problem":
        _, message, severity, line0, col0 = item
        where = source.whole() if line0 is None else source.location(line0, col0 or 0)
        return Diagnostic(message, where, severity)
    _, index, data, start, values, keys, scalars = item
    return RawDocument(source, index, data, source.location(*start), values, keys, scalars)

"""Project files as read: each file's bytes, text and lines, how diagnostics name it, and its
documents as plain data with the position of every value (:class:`RawDocument`), so a problem
found anywhere later points at the file, line and column it came from.

Reading YAML into documents is :mod:`segctl.project.yamlread`'s (PyYAML loads only when a file
is actually parsed: a load whose files all come from the cache never imports it).
"""

from __future__ import annotations

import hashlib
import marshal
import os
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from segctl.errors import Diagnostic, Location, SegctlError

JsonPath = tuple[str | int, ...]


@dataclass(frozen=True, init=False)
class SourceFile:
    """One YAML file: how it is named, its text (for parsing) and lines (for excerpts), and
    its size and sha256 (for the load cache and the project hash).

    Made either from the bytes just read (``SourceFile(path, display, relative, data, text,
    lines)``), or, for a file the load cache vouches for, from the cached text with its size
    and sha256 (:meth:`known`): the file is then not read; ``lines`` is split when first
    asked for and ``data`` read when first asked for (checked against the sha256).
    """

    path: Path
    display: str  # how diagnostics name the file (relative to the working directory if possible)
    relative: str  # path relative to the project root, with "/" separators (for the hash)
    size: int  # of its bytes
    sha256: bytes  # digest of its bytes (32 bytes)
    text: str = field(repr=False, compare=False)  # decoded, with "\n" line ends

    def __init__(self, path: Path, display: str, relative: str, data: bytes, text: str,
                 lines: tuple[str, ...] | None = None) -> None:
        # frozen: the fields are set in the instance dictionary (as cached_property does)
        self.__dict__.update(path=path, display=display, relative=relative, size=len(data),
                             sha256=hashlib.sha256(data).digest(), text=text, data=data)
        if lines is not None:
            self.__dict__["lines"] = lines

    @classmethod
    def known(cls, path: Path, display: str, relative: str, size: int, sha256: bytes,
              text: str) -> SourceFile:
        """A file whose bytes are known by their size and sha256, and whose text is ``text``
        (as decoded from those bytes): it is not read."""
        source = cls.__new__(cls)
        source.__dict__.update(path=path, display=display, relative=relative, size=size,
                               sha256=sha256, text=text)
        return source

    @cached_property
    def lines(self) -> tuple[str, ...]:
        return tuple(self.text.split("\n"))

    @cached_property
    def data(self) -> bytes:
        """The bytes (of a file the cache vouched for: read now, and refused if they are no
        longer the ones its text came from)."""
        try:
            with open(self.path, "rb") as handle:
                data = handle.read()
        except OSError as err:
            raise SegctlError(f"cannot read file: {err.strerror or err}",
                              location=Location(self.display)) from None
        if hashlib.sha256(data).digest() != self.sha256:
            raise SegctlError("the file changed while segctl was reading the project",
                              location=Location(self.display), hint="run the command again")
        return data

    def location(self, line0: int, col0: int) -> Location:
        """A 1-based Location from 0-based line/column, with the source line for the caret."""
        lines = self.lines
        source_line = lines[line0] if 0 <= line0 < len(lines) else None
        return Location(self.display, line0 + 1, col0 + 1, source_line)

    def whole(self) -> Location:
        return Location(self.display)


@dataclass(frozen=True)
class ScalarSpan:
    """Where a scalar's content starts in the file and how its text was folded."""

    line0: int
    col0: int
    style: str | None  # None (plain), "'", '"', "|", ">"
    end_line0: int


#: a scalar node's marks: 0-based line and column where it is written, its style ("" plain,
#: "'", '"', "|", ">") and the line it ends on
ScalarMarks = tuple[int, int, str, int]
#: where a document's values, keys and scalars are written (see :class:`RawDocument`)
Positions = tuple[dict[JsonPath, tuple[int, int]], dict[JsonPath, tuple[int, int]],
                  dict[JsonPath, ScalarMarks]]


def scalar_span(source: SourceFile, marks: ScalarMarks) -> ScalarSpan:
    """Where a scalar's content starts (for a block scalar: its first non-blank content line)."""
    line0, col0, style, end_line0 = marks
    if style in ("'", '"'):
        return ScalarSpan(line0, col0 + 1, style, end_line0)
    if style in ("|", ">"):
        lines = source.lines
        line0 += 1
        while line0 < len(lines) and line0 < end_line0 and not lines[line0].strip():
            line0 += 1
        text = lines[line0] if line0 < len(lines) else ""
        return ScalarSpan(line0, len(text) - len(text.lstrip(" ")), style, end_line0)
    return ScalarSpan(line0, col0, style or None, end_line0)


@dataclass(frozen=True)
class RawDocument:
    """One YAML document, as plain data plus the position of every value and key."""

    source: SourceFile
    index: int  # 0-based position of the document within its file
    data: Any
    start: Location
    # 0-based (line, column) of each collection and each key, and the marks of each scalar
    # ((line, column, style, end line), as written): Locations are made when one is asked for.
    # The load cache hands them over marshalled: read when first needed (most loads never
    # need them). They follow from the source and the index, so equality leaves them out.
    positions: Positions | bytes = field(default_factory=lambda: ({}, {}, {}), hash=False,
                                         compare=False, repr=False)

    @cached_property
    def _positions(self) -> Positions:
        positions = self.positions
        if isinstance(positions, bytes):
            values, keys, scalars = marshal.loads(positions)
            return values, keys, scalars
        return positions

    @property
    def values(self) -> dict[JsonPath, tuple[int, int]]:
        return self._positions[0]

    @property
    def keys(self) -> dict[JsonPath, tuple[int, int]]:
        return self._positions[1]

    @property
    def scalars(self) -> dict[JsonPath, ScalarMarks]:
        return self._positions[2]

    @property
    def kind(self) -> Any:
        return self.data.get("kind") if isinstance(self.data, dict) else None

    def value_location(self, path: JsonPath) -> Location:
        """Where the value at ``path`` starts; the nearest enclosing value if unknown."""
        for cut in range(len(path), -1, -1):
            marks = self.scalars.get(path[:cut])
            if marks is not None:
                span = scalar_span(self.source, marks)
                return self.source.location(span.line0, span.col0)
            where = self.values.get(path[:cut])
            if where is not None:
                return self.source.location(*where)
        return self.start

    def key_location(self, path: JsonPath) -> Location:
        """Where the key of the value at ``path`` is written (falls back to the value)."""
        where = self.keys.get(path)
        return self.source.location(*where) if where is not None else self.value_location(path)

    def location_in_value(self, path: JsonPath, line: int, col: int) -> Location:
        """Map a 1-based (line, col) inside the string value at ``path`` to the file."""
        lines = self._text(path).split("\n")
        offset = sum(len(text) + 1 for text in lines[: max(line - 1, 0)]) + max(col - 1, 0)
        return self.offset_in_value(path, offset)

    def offset_in_value(self, path: JsonPath, offset: int) -> Location:
        """Map a 0-based character offset inside the string value at ``path`` to the file."""
        marks = self.scalars.get(path)
        if marks is None:
            return self.value_location(path)
        span = scalar_span(self.source, marks)
        text = self._text(path)
        # "unexpected end of input" sits past the trailing newline of a block scalar: point just
        # after the last character written instead of at the (blank) line below the value
        offset = min(offset, len(text.rstrip()))
        line0, col0 = _source_position(self.source, span, text, offset)
        return self.source.location(line0, col0)

    def _text(self, path: JsonPath) -> str:
        value = _get(self.data, path)
        return value if isinstance(value, str) else ""


def _get(data: Any, path: JsonPath) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _source_position(source: SourceFile, span: ScalarSpan, text: str, offset: int
                     ) -> tuple[int, int]:
    """Where character ``offset`` of a scalar's value is written, per its YAML style."""
    if span.style == "|":  # literal: value line k is source line start+k, same indentation
        before = text[:offset]
        return span.line0 + before.count("\n"), span.col0 + offset - (before.rfind("\n") + 1)
    # plain, folded and quoted: walk the source, one value character at a time; a line break
    # folds into one space (a run of blank lines into one newline per blank line), escapes
    # (\" \x41 \u00e9, '') are one character written as several
    lines = source.lines
    line0, col0, remaining = span.line0, span.col0, offset
    while remaining > 0 and line0 < len(lines):
        raw = lines[line0]
        if col0 >= len(raw.rstrip()) and line0 < span.end_line0:
            line0 += 1
            nxt = lines[line0] if line0 < len(lines) else ""
            indent = len(nxt) - len(nxt.lstrip())
            # a folded block keeps the indentation beyond its own as text
            col0 = min(indent, span.col0) if span.style == ">" else indent
            if raw.strip() and not nxt.strip():
                continue  # the break before blank lines disappears (they stand for it)
        elif span.style == '"' and raw.startswith("\\", col0):
            col0 += {"x": 4, "u": 6, "U": 10}.get(raw[col0 + 1: col0 + 2], 2)
        elif span.style == "'" and raw.startswith("''", col0):
            col0 += 2
        else:
            col0 += 1
        remaining -= 1
    return line0, col0


def read_source(path: Path, root: Path, names: FileNames | None = None
                ) -> SourceFile | Diagnostic:
    """Read one file; undecodable bytes become a located diagnostic. ``names``: how this load
    names its files (by default worked out for this file alone)."""
    name = os.fspath(path)
    display, relative = (names or FileNames(root)).of(name)
    try:
        with open(name, "rb") as handle:
            data = handle.read()
    except OSError as err:
        return Diagnostic(f"cannot read file: {err.strerror or err}", Location(display))
    encoding = _encoding(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as err:
        return _undecodable(display, data, encoding, err)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return SourceFile(path, display, relative, data, text, tuple(text.split("\n")))


class FileNames:
    """How one load names its files: the display name (what diagnostics show: the real path,
    symbolic links resolved, relative to the working directory when inside it, else the name
    as given) and the relative name (the real path relative to the project root with ``/``
    separators, else the file's name). Links are resolved once per folder, unless the file
    itself is a link; the working directory is the one of the moment this is made."""

    def __init__(self, root: Path) -> None:
        self.cwd = os.getcwd()
        self.root = os.fspath(root)
        self._folders: dict[str, tuple[str | None, str | None]] = {}

    def of(self, name: str, link: bool | None = None) -> tuple[str, str]:
        """(display, relative) of the file ``name``; ``link``: whether it is a symbolic link
        (looked up when None)."""
        folder, base = _split(name)
        if link is None:
            link = os.path.islink(name)
        if link:
            real = os.path.realpath(name)
            return (_inside(real, _real_folder(self.cwd, self.cwd)) or name,
                    _inside(real, _real_folder(self.root, self.cwd)) or base)
        prefixes = self._folders.get(folder)
        if prefixes is None:
            prefixes = self._folders[folder] = self._prefixes(folder)
        shown, inside = prefixes
        return (name if shown is None else shown + base, base if inside is None else inside + base)

    def _prefixes(self, folder: str) -> tuple[str | None, str | None]:
        """What a file of ``folder`` is named by, before its own name: relative to the
        working directory and to the root (None: not inside)."""
        real = _real_folder(folder or os.curdir, self.cwd)  # (a trailing separator is no matter)
        return (_prefix(real, _real_folder(self.cwd, self.cwd)),
                _prefix(real, _real_folder(self.root, self.cwd)))


# YAML 1.2 §5.2: UTF-8, or UTF-16/UTF-32 announced by a byte order mark (as PyYAML reads them)
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def _encoding(data: bytes) -> str:
    return next((name for bom, name in _BOMS if data.startswith(bom)), "utf-8-sig")


def _undecodable(display: str, data: bytes, encoding: str, err: UnicodeDecodeError
                 ) -> Diagnostic:
    """The line and column of the first byte that does not decode, with that line shown."""
    before = data[: err.start].decode(encoding, errors="replace").replace("\r\n", "\n")
    line0 = before.count("\n")
    col0 = len(before) - (before.rfind("\n") + 1)
    whole = data.decode(encoding, errors="replace").replace("\r\n", "\n").split("\n")
    source_line = whole[line0] if line0 < len(whole) else None
    name = {"utf-8-sig": "UTF-8"}.get(encoding, encoding.upper())
    return Diagnostic(f"file is not valid {name} ({err.reason}: byte "
                      f"0x{data[err.start]:02x})", Location(display, line0 + 1, col0 + 1,
                                                            source_line))


@lru_cache(maxsize=64)
def _real_folder(folder: str, cwd: str) -> str:
    """``folder`` with symbolic links resolved (``cwd`` is part of the key: a relative folder
    means another place once the working directory changes)."""
    return os.path.realpath(os.path.join(cwd, folder))


def _inside(real: str, folder: str) -> str | None:
    """``real`` relative to ``folder`` with ``/`` separators, or None when it is not inside."""
    if folder == os.sep:
        return real.lstrip(os.sep).replace(os.sep, "/") or None
    if not real.startswith(folder + os.sep):
        return None
    return real[len(folder) + 1:].replace(os.sep, "/")


def _split(name: str) -> tuple[str, str]:
    """``name``'s folder (with its trailing separator, "" for none) and its last part: quicker
    than ``os.path.split`` where there is one separator."""
    if os.altsep:
        return os.path.split(name)
    cut = name.rfind(os.sep) + 1
    return name[:cut], name[cut:]


def _prefix(real_folder: str, folder: str) -> str | None:
    """What :func:`_inside` gives for a file of ``real_folder``, without the file's name."""
    inside = _inside(os.path.join(real_folder, "-"), folder)
    return None if inside is None else inside[:-1]


def files_hash(sources: list[SourceFile]) -> str:
    """The project hash: sha256 over every file, in the order of their relative paths, of its
    relative path (UTF-8) and a NUL byte, its size (8 bytes, big-endian) and the sha256 of its
    bytes (32 bytes). The files need not be read again: their size and sha256 are known."""
    digest = hashlib.sha256()
    for src in sorted(sources, key=lambda s: s.relative):
        digest.update(src.relative.encode() + b"\0" + src.size.to_bytes(8, "big") + src.sha256)
    return digest.hexdigest()

"""YAML reading with provenance: every value keeps the file, line and column it came from.

PyYAML's composer gives nodes with marks; we walk the node tree ourselves so that we can

* reject duplicate mapping keys (PyYAML silently keeps the last one),
* keep timestamps as strings (JSON Schema and fixtures want the text, not ``datetime``),
* read plain scalars per YAML 1.2's core schema (:mod:`segctl.project.yaml12`: libyaml's
  composer with 1.2 resolvers), warning where YAML 1.1 would read one otherwise (``yes``,
  ``0777``, ``1:30``),
* record, for every JSON path, where the value starts (for a block scalar: the first content
  character, so an offset inside a PQL expression maps back into the file).
"""

from __future__ import annotations

import hashlib
import marshal
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from segctl.errors import Diagnostic, Location, SegctlError
from segctl.pql.limits import MAX_DEPTH, MAX_DIGITS
from segctl.project import yaml12

JsonPath = tuple[str | int, ...]
#: values that aliases may add to one document (a "billion laughs" file expands to 10^9):
#: the safe loaders' defence against alias bombs (SnakeYAML maxAliasesForCollections,
#: go-yaml's alias ratio); no real project comes near it
MAX_ALIAS_VALUES = 10_000
#: collections nested deeper than this are refused (everything downstream recurses): the
#: same bound as PQL's
MAX_YAML_DEPTH = MAX_DEPTH
_TOO_BIG = 10**MAX_DIGITS  # integers as long as PQL's (str() of longer ones may fail)

_SCALAR_TAGS_KEPT_AS_TEXT = {
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:binary",
    "tag:yaml.org,2002:str",
}
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


def parse_documents(source: SourceFile) -> Iterator[RawDocument | Diagnostic]:
    """Every document of the file (empty ones skipped), or diagnostics for what is wrong."""
    try:
        for index, node in enumerate(yaml.compose_all(source.text, Loader=yaml12.Loader)):
            if node is None or _is_empty(node):
                continue  # a stray or trailing `---` (perhaps followed by comments only)
            builder = _Builder(source, index)
            try:
                data = builder.convert(node, ())
            except _Refused as refused:
                yield refused.diagnostic
                continue
            start = source.location(node.start_mark.line, node.start_mark.column)
            yield from builder.problems  # the document is kept (first value of a duplicate wins)
            yield RawDocument(source, index, data, start,
                              (builder.values, builder.keys, builder.scalars))
    except yaml.reader.ReaderError as err:  # a character YAML does not allow (NUL, ESC ...)
        yield _bad_character(source, err)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "invalid YAML"
        if err.context and err.context_mark and err.problem_mark:
            problem += f" ({err.context} started on line {err.context_mark.line + 1})"
        where = source.location(mark.line, mark.column) if mark else source.whole()
        yield Diagnostic(f"YAML syntax error: {problem}", where)
    except yaml.YAMLError as err:
        yield Diagnostic(f"YAML error: {err}", source.whole())


def _bad_character(source: SourceFile, err: yaml.reader.ReaderError) -> Diagnostic:
    """ReaderError knows only a character offset: turn it into line and column."""
    text, position = source.text, max(0, min(err.position, len(source.text)))
    line0 = text.count("\n", 0, position)
    col0 = position - (text.rfind("\n", 0, position) + 1)
    char = err.character if isinstance(err.character, str) else chr(err.character)
    return Diagnostic(f"YAML does not allow the character U+{ord(char):04X} here "
                      "(write it as an escape inside a double-quoted string)",
                      source.location(line0, col0))


class _Refused(Exception):
    """A document too big or too deep to read: one located diagnostic, the document skipped."""

    def __init__(self, message: str, location: Location):
        super().__init__(message)
        self.diagnostic = Diagnostic(message, location)


def _clip(text: str) -> str:
    return text if len(text) <= 40 else text[:30] + "..."


def _is_empty(node: yaml.Node) -> bool:
    return (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"
            and node.value == "" and not node.style)


class _Builder:
    def __init__(self, source: SourceFile, index: int) -> None:
        self.source = source
        self.index = index
        self.values: dict[JsonPath, tuple[int, int]] = {}
        self.keys: dict[JsonPath, tuple[int, int]] = {}
        self.scalars: dict[JsonPath, ScalarMarks] = {}
        self.problems: list[Diagnostic] = []
        self.converted: set[int] = set()  # collection nodes already read: seen again = alias
        self.active: set[int] = set()  # collection nodes being read: seen again = a cycle
        self.alias_depth = 0  # > 0 while reading an alias's value again
        self.alias_values = 0
        self.depth = 0

    def at(self, node: yaml.Node) -> Location:
        return self.source.location(node.start_mark.line, node.start_mark.column)

    def convert(self, node: yaml.Node, path: JsonPath) -> Any:
        if self.alias_depth:
            self.alias_values += 1
            if self.alias_values > MAX_ALIAS_VALUES:
                raise _Refused(f"aliases expand to more than {MAX_ALIAS_VALUES:,} values "
                               "in this document", self.at(node))
        if isinstance(node, yaml.CollectionNode):
            return self._collection(node, path)
        assert isinstance(node, yaml.ScalarNode)
        start = node.start_mark
        self.scalars[path] = (start.line, start.column, node.style or "", node.end_mark.line)
        return self._scalar(node)

    def _collection(self, node: yaml.CollectionNode, path: JsonPath) -> Any:
        """A mapping or sequence, guarding against cycles, alias bombs and deep nesting."""
        key = id(node)
        if key in self.active:
            self.problems.append(Diagnostic("this value contains an alias of itself",
                                            self.at(node)))
            return None
        self.depth += 1
        if self.depth > MAX_YAML_DEPTH:
            raise _Refused(f"values nested more than {MAX_YAML_DEPTH} levels deep",
                           self.at(node))
        again = key in self.converted
        self.converted.add(key)
        self.active.add(key)
        self.alias_depth += again
        self.values[path] = (node.start_mark.line, node.start_mark.column)
        if isinstance(node, yaml.MappingNode):
            result: Any = self._mapping(node, path)
        else:
            result = [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
        self.alias_depth -= again
        self.active.discard(key)
        self.depth -= 1
        return result

    def _mapping(self, node: yaml.MappingNode, path: JsonPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(Diagnostic("mapping keys must be plain strings",
                                                self.at(key_node)))
                continue
            if key_node.tag in yaml12.CONSTRUCTORS:
                # a tagged key (`!!int x: 1`) must read as its tag says
                self._scalar(key_node, is_key=True)
            key = str(key_node.value)
            if key in first_seen:
                first = first_seen[key].start_mark.line + 1
                self.problems.append(Diagnostic(
                    f"duplicate key '{key}' (first defined on line {first})", self.at(key_node)))
                continue
            first_seen[key] = key_node
            self.keys[(*path, key)] = (key_node.start_mark.line, key_node.start_mark.column)
            result[key] = self.convert(value_node, (*path, key))
        return result

    def _scalar(self, node: yaml.ScalarNode, *, is_key: bool = False) -> Any:
        plain = not node.style  # libyaml reports "" for plain scalars, PyYAML None
        if node.tag in yaml12.CONSTRUCTORS and plain:
            try:
                value = yaml12.construct(node.tag, node.value)
                if isinstance(value, int) and abs(value) >= _TOO_BIG:  # 0xfff... (5,000 digits)
                    raise ValueError("digits")
            except (ValueError, KeyError, IndexError, OverflowError, TypeError) as err:
                # `!!int x`, `!!bool maybe`, or an integer past CPython's 4,300-digit limit
                what = node.tag.rsplit(":", 1)[-1]
                reason = "too many digits" if "digits" in str(err) else "not a valid " + what
                self.problems.append(Diagnostic(f"cannot read {_clip(node.value)!r} as !!{what} "
                                                f"({reason})", self.at(node)))
                return node.value
            if not is_key:
                self._yaml11(node, value)
            return value
        if node.tag in _SCALAR_TAGS_KEPT_AS_TEXT or not plain:
            if plain and not is_key:
                self._yaml11(node, node.value)
            return node.value
        self.problems.append(Diagnostic(f"unsupported YAML tag {node.tag}", self.at(node)))
        return node.value

    def _yaml11(self, node: yaml.ScalarNode, value: Any) -> None:
        """Warn where YAML 1.1 reads this untagged plain scalar as something else."""
        difference = yaml12.yaml11_difference(node.value, value)
        if difference is not None and not self._tagged(node):
            self.problems.append(Diagnostic(difference, self.at(node), severity="warning"))

    def _tagged(self, node: yaml.ScalarNode) -> bool:
        """Whether the scalar is written with a tag (``!!str yes``; its mark starts at the
        anchor or tag before the text)."""
        line = self.source.lines[node.start_mark.line] if node.start_mark.line < len(
            self.source.lines) else ""
        written = line[node.start_mark.column:]
        if written.startswith("&"):
            written = written.split(None, 1)[1] if " " in written else ""
        return written.startswith("!")

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

from collections.abc import Iterator
from typing import Any

import yaml

from segctl.errors import Diagnostic, Location
from segctl.pql.limits import MAX_DEPTH, MAX_DIGITS
from segctl.project import yaml12
from segctl.project.source import JsonPath, RawDocument, ScalarMarks, SourceFile

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

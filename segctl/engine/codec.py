"""Frozen dataclasses to JSON and back, derived from their fields and type hints (pure).

A :class:`Codec` writes a value as JSON types (:meth:`Codec.encode`), reads it back against a
type hint (:meth:`Codec.decode`, raising :class:`ShapeError` with the path of the offending
value) and says the same shape as JSON Schema, draft 2020-12 (:meth:`Codec.schema`). The types
understood are the ones plans are made of: frozen dataclasses (recursively), ``tuple[X, ...]``,
``X | None``, enums, ``Literal``, ``str``/``int``/``float``/``bool`` and ``Any`` (a JSON value
kept as it is). Each type's reader and writer is built once from its hints, then reused.

A :class:`Spelling` says where a document spells a dataclass otherwise than its fields: a key
renamed, fields gathered in a nested object, values computed on writing (never read back), keys
written only away from their default, a fixed key order. Without one, a dataclass is an object
of its fields in field order. Reading tolerates unknown keys; a missing key reads as the
field's default, and is an error only for a field without one (or one the spelling requires).
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field
from typing import Any, Literal, Union

JsonPath = tuple[str | int, ...]
Reader = Callable[[Any], Any]
Writer = Callable[[Any], Any]


class ShapeError(ValueError):
    """A JSON value that does not have the shape its type hint asks for."""

    def __init__(self, path: JsonPath, message: str) -> None:
        super().__init__(f"{describe(path)}: {message}")
        self.path = path
        self.problem = message

    def within(self, *outer: str | int) -> ShapeError:
        """The same problem, seen from the object that holds the value at ``outer``."""
        return ShapeError((*outer, *self.path), self.problem)


def describe(path: JsonPath) -> str:
    """``segment_changes[0].desired.labels`` (``the document`` for the root)."""
    text = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    return text or "the document"


@dataclass(frozen=True)
class Derived:
    """A key computed from the object when writing (a count, a property): never read back."""

    compute: Callable[[Any], Any]
    schema: Mapping[str, Any]


@dataclass(frozen=True)
class Spelling:
    """How a document spells one dataclass where it differs from the fields."""

    keys: Mapping[str, str] = field(default_factory=dict)  # field -> key
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # key -> its fields
    derived: Mapping[str, Derived] = field(default_factory=dict)
    order: tuple[str, ...] = ()  # keys first in this order; the others follow in field order
    sparse: frozenset[str] = frozenset()  # fields left out while at their default
    required: frozenset[str] = frozenset()  # fields a document must carry despite a default

    def key(self, name: str) -> str:
        return self.keys.get(name, name)


_PLAIN = Spelling()
_SCHEMA_TYPES = {str: "string", bool: "boolean", int: "integer", float: "number"}


def _default(f: dataclasses.Field[Any]) -> Any:
    if f.default is not MISSING:
        return f.default
    if f.default_factory is not MISSING:
        return f.default_factory()
    return MISSING


def _optional(hint: Any) -> Any | None:
    """``X`` for ``X | None`` (None for any other hint)."""
    if typing.get_origin(hint) in (Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(hint)) == 2:
            return args[0]
        raise TypeError(f"only X | None unions are supported, not {hint}")
    return None


def _items(hint: Any) -> Any | None:
    """``X`` for ``tuple[X, ...]`` (None for any other hint)."""
    if typing.get_origin(hint) is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return args[0]
        raise TypeError(f"only tuple[X, ...] is supported, not {hint}")
    return None


def _shape(hint: Any) -> tuple[str, Any]:
    """What kind of value ``hint`` is, with what that kind needs: ("any", None), ("optional",
    X), ("tuple", X), ("choice", {json value: value}), ("object", cls) or ("scalar", type)."""
    if hint is Any:
        return "any", None
    inner = _optional(hint)
    if inner is not None:
        return "optional", inner
    item = _items(hint)
    if item is not None:
        return "tuple", item
    if typing.get_origin(hint) is Literal:
        return "choice", {v: v for v in typing.get_args(hint)}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return "choice", {m.value: m for m in hint}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return "object", hint
    if hint in _SCHEMA_TYPES:
        return "scalar", hint
    raise TypeError(f"no JSON form for {hint}")


def _plain(value: Any) -> Any:
    """A free JSON value (``Any``), copied so the document shares nothing with the model."""
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    for kind, name in ((bool, "a boolean"), (int, "an integer"), (float, "a number"),
                       (str, "a string"), (list, "an array"), (dict, "an object")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


class Codec:
    """Readers, writers and schemas for the dataclasses of one document, spelled by
    ``spellings`` (type -> :class:`Spelling`)."""

    def __init__(self, spellings: Mapping[type, Spelling] | None = None) -> None:
        self.spellings: Mapping[type, Spelling] = spellings or {}
        self._readers: dict[Any, Reader] = {}
        self._writers: dict[type, Writer] = {}

    def spelling(self, cls: type) -> Spelling:
        return self.spellings.get(cls, _PLAIN)

    # -- writing -------------------------------------------------------------------------------

    def encode(self, value: Any) -> Any:
        """``value`` (a dataclass) as its JSON object."""
        return self._writer(type(value))(value)

    def _write(self, hint: Any) -> Writer:
        kind, arg = _shape(hint)
        if kind == "optional":
            write = self._write(arg)
            return lambda v: None if v is None else write(v)
        if kind == "tuple":
            write_item = self._write(arg)
            return lambda v: [write_item(x) for x in v]
        if kind == "choice":
            return lambda v: v.value if isinstance(v, enum.Enum) else v
        if kind == "object":
            return self._writer(arg)
        return _plain if kind == "any" else _same

    def _writer(self, cls: type) -> Writer:
        if cls in self._writers:
            return self._writers[cls]
        self._writers[cls] = lambda v: self._writers[cls](v)  # a recursive type
        spell = self.spelling(cls)
        hints = typing.get_type_hints(cls)
        every = {f.name: f for f in dataclasses.fields(cls)}
        grouped = {n for names in spell.groups.values() for n in names}
        plain = [(n, spell.key(n), self._write(hints[n]),
                  _default(every[n]) if n in spell.sparse else MISSING)
                 for n in every if n not in grouped]
        groups = [(key, [(n, spell.key(n), self._write(hints[n])) for n in names])
                  for key, names in spell.groups.items()]
        derived = list(spell.derived.items())
        keys = [k for _, k, _, _ in plain] + [k for k, _ in groups] + [k for k, _ in derived]
        order = [k for k in spell.order if k in keys] + [k for k in keys if k not in spell.order]

        def write(obj: Any) -> dict[str, Any]:
            entries: dict[str, Any] = {}
            for name, key, to_json, sparse in plain:
                value = getattr(obj, name)
                if sparse is MISSING or value != sparse:
                    entries[key] = to_json(value)
            for key, members in groups:
                entries[key] = {k: to_json(getattr(obj, n)) for n, k, to_json in members}
            for key, derive in derived:
                entries[key] = derive.compute(obj)
            return {k: entries[k] for k in order if k in entries}

        self._writers[cls] = write
        return write

    # -- describing ----------------------------------------------------------------------------

    def schema(self, hint: Any, defs: dict[str, Any]) -> dict[str, Any]:
        """The JSON Schema of what :meth:`encode` writes for ``hint``; dataclasses go into
        ``defs`` (``$defs``) once and are referenced by name. Objects allow unknown keys."""
        return _schema(hint, self, defs)

    # -- reading -------------------------------------------------------------------------------

    def decode(self, raw: Any, hint: Any) -> Any:
        """The value of type ``hint`` that :meth:`encode` wrote as ``raw`` (ShapeError if
        none)."""
        return self._reader(hint)(raw)

    def _reader(self, hint: Any) -> Reader:
        try:
            return self._readers[hint]
        except KeyError:
            read = self._readers[hint] = self._read(hint)
            return read

    def _read(self, hint: Any) -> Reader:
        kind, arg = _shape(hint)
        if kind == "optional":
            read = self._reader(arg)
            return lambda v: None if v is None else read(v)
        if kind == "tuple":
            return _read_tuple(self._reader(arg))
        if kind == "choice":
            return _read_choice(arg)
        if kind == "object":
            self._readers[hint] = lambda v: self._readers[hint](v)  # a recursive type
            return self._read_object(hint)
        return _read_scalar(arg) if kind == "scalar" else _same

    def _read_object(self, cls: type) -> Reader:
        spell = self.spelling(cls)
        hints = typing.get_type_hints(cls)
        where = {n: key for key, names in spell.groups.items() for n in names}
        layout: dict[str | None, list[tuple[str, str, Reader, bool]]] = {}
        for f in dataclasses.fields(cls):
            must = _default(f) is MISSING or f.name in spell.required
            entry = (f.name, spell.key(f.name), self._reader(hints[f.name]), must)
            layout.setdefault(where.get(f.name), []).append(entry)

        def read(raw: Any) -> Any:
            if not isinstance(raw, dict):
                raise ShapeError((), f"expected an object, got {_kind(raw)}")
            values: dict[str, Any] = {}
            for group, entries in layout.items():
                holder = raw if group is None else raw.get(group, {})
                at: JsonPath = () if group is None else (group,)
                if not isinstance(holder, dict):
                    raise ShapeError(at, f"expected an object, got {_kind(holder)}")
                for name, key, from_json, must in entries:
                    if key in holder:
                        try:
                            values[name] = from_json(holder[key])
                        except ShapeError as err:
                            raise err.within(*at, key) from None
                    elif must:
                        raise ShapeError(at, f"missing required key {key!r}")
            return cls(**values)

        return read


def _same(value: Any) -> Any:
    return value


def _read_tuple(read: Reader) -> Reader:
    def read_all(raw: Any) -> tuple[Any, ...]:
        if not isinstance(raw, list):
            raise ShapeError((), f"expected an array, got {_kind(raw)}")
        try:
            return tuple([read(v) for v in raw])
        except ShapeError:
            for index, value in enumerate(raw):  # find which item, then say where
                try:
                    read(value)
                except ShapeError as err:
                    raise err.within(index) from None
            raise
    return read_all


def _read_choice(table: Mapping[Any, Any]) -> Reader:
    """One of the values of an enum or a Literal, of the very type it is declared with."""
    typed = {(type(value), value): result for value, result in table.items()}

    def read(raw: Any) -> Any:
        try:
            return typed[(type(raw), raw)]
        except (KeyError, TypeError):  # not one of them, or an unhashable value
            raise ShapeError((), f"{raw!r} is not one of {list(table)}") from None
    return read


def _read_scalar(hint: type) -> Reader:
    expected = _SCHEMA_TYPES[hint]
    accept: tuple[type, ...] = (int, float) if hint is float else (hint,)

    def read(raw: Any) -> Any:
        if isinstance(raw, accept) and (hint is bool or not isinstance(raw, bool)):
            return raw
        raise ShapeError((), f"expected {expected}, got {_kind(raw)}")
    return read


# -- describing ------------------------------------------------------------------------------

def _schema(hint: Any, codec: Codec, defs: dict[str, Any]) -> dict[str, Any]:
    kind, arg = _shape(hint)
    if kind == "optional":
        of = _schema(arg, codec, defs)
        if set(of) == {"type"} and isinstance(of["type"], str):
            return {"type": [of["type"], "null"]}
        return {"anyOf": [of, {"type": "null"}]}
    if kind == "tuple":
        return {"type": "array", "items": _schema(arg, codec, defs)}
    if kind == "choice":
        return {"enum": list(arg)}
    if kind == "object":
        if arg.__name__ not in defs:
            defs[arg.__name__] = {}  # a placeholder first: a recursive type refers to itself
            defs[arg.__name__] = _object_schema(arg, codec, defs)
        return {"$ref": f"#/$defs/{arg.__name__}"}
    return {"type": _SCHEMA_TYPES[arg]} if kind == "scalar" else {}


def _object_schema(cls: type, codec: Codec, defs: dict[str, Any]) -> dict[str, Any]:
    spell = codec.spelling(cls)
    hints = typing.get_type_hints(cls)
    every = {f.name: f for f in dataclasses.fields(cls)}
    must = {n for n, f in every.items() if _default(f) is MISSING or n in spell.required}

    def members(names: tuple[str, ...]) -> tuple[dict[str, Any], list[str]]:
        props = {spell.key(n): _schema(hints[n], codec, defs) for n in names}
        return props, [spell.key(n) for n in names if n in must]

    grouped = {n for names in spell.groups.values() for n in names}
    props, required = members(tuple(n for n in every if n not in grouped))
    for key, names in spell.groups.items():
        inner, needed = members(names)
        props[key] = {"type": "object", "properties": inner,
                      **({"required": needed} if needed else {})}
        required += [key] if needed else []
    for key, derived in spell.derived.items():
        props[key] = dict(derived.schema)
    first = [k for k in spell.order if k in props]
    ordered = {k: props[k] for k in [*first, *(k for k in props if k not in spell.order)]}
    out: dict[str, Any] = {"type": "object", "properties": ordered}
    if required:
        out["required"] = [k for k in ordered if k in required]
    return out

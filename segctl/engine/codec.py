"""Frozen dataclasses to JSON and back, derived from their fields and type hints (pure).

:func:`encode` writes a value as JSON types, :func:`decode` reads it back against a type hint
(raising :class:`ShapeError` with the path of the offending value), and :func:`schema` says the
same shape as JSON Schema (draft 2020-12). The types understood are the ones plans are made of:
frozen dataclasses (recursively), ``tuple[X, ...]``, ``X | None``, string enums, ``Literal``,
``str``/``int``/``float``/``bool`` and ``Any`` (a JSON value kept as it is).

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
from functools import cache
from typing import Any, Literal, Union

JsonPath = tuple[str | int, ...]


class ShapeError(ValueError):
    """A JSON value that does not have the shape its type hint asks for."""

    def __init__(self, path: JsonPath, message: str) -> None:
        super().__init__(f"{describe(path)}: {message}")
        self.path = path
        self.problem = message


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


Spellings = Mapping[type, Spelling]
_PLAIN = Spelling()


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


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


# -- writing ---------------------------------------------------------------------------------


def encode(value: Any, spellings: Spellings) -> Any:
    """``value`` as JSON types: dataclasses as objects (spelled), tuples as lists, enums as
    their values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _encode_object(value, spellings)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [encode(v, spellings) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v, spellings) for k, v in value.items()}
    return value


def _encode_object(obj: Any, spellings: Spellings) -> dict[str, Any]:
    spell = spellings.get(type(obj), _PLAIN)
    grouped = {name for names in spell.groups.values() for name in names}
    entries: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if f.name in grouped or (f.name in spell.sparse and value == _default(f)):
            continue
        entries[spell.key(f.name)] = encode(value, spellings)
    for key, names in spell.groups.items():
        entries[key] = {spell.key(n): encode(getattr(obj, n), spellings) for n in names}
    for key, derived in spell.derived.items():
        entries[key] = derived.compute(obj)
    first = [k for k in spell.order if k in entries]
    return {k: entries[k] for k in [*first, *(k for k in entries if k not in spell.order)]}


# -- reading ---------------------------------------------------------------------------------


def decode(raw: Any, hint: Any, spellings: Spellings, path: JsonPath = ()) -> Any:
    """The value of type ``hint`` that :func:`encode` wrote as ``raw`` (ShapeError if none)."""
    if hint is Any:
        return raw
    inner = _optional(hint)
    if inner is not None:
        return None if raw is None else decode(raw, inner, spellings, path)
    item = _items(hint)
    if item is not None:
        if not isinstance(raw, list):
            raise ShapeError(path, f"expected an array, got {_kind(raw)}")
        return tuple(decode(v, item, spellings, (*path, i)) for i, v in enumerate(raw))
    if typing.get_origin(hint) is Literal:
        if raw not in typing.get_args(hint):
            raise ShapeError(path, f"{raw!r} is not one of {list(typing.get_args(hint))}")
        return raw
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        try:
            return hint(raw)
        except ValueError:
            allowed = [m.value for m in hint]
            raise ShapeError(path, f"{raw!r} is not one of {allowed}") from None
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _decode_object(raw, hint, spellings, path)
    return _scalar(raw, hint, path)


def _scalar(raw: Any, hint: Any, path: JsonPath) -> Any:
    ok = {
        str: isinstance(raw, str),
        bool: isinstance(raw, bool),
        int: isinstance(raw, int) and not isinstance(raw, bool),
        float: isinstance(raw, int | float) and not isinstance(raw, bool),
    }
    if hint not in ok:
        raise TypeError(f"no JSON reading for {hint}")
    if not ok[hint]:
        raise ShapeError(path, f"expected {_SCHEMA_TYPES[hint]}, got {_kind(raw)}")
    return raw


def _decode_object(raw: Any, cls: type, spellings: Spellings, path: JsonPath) -> Any:
    if not isinstance(raw, dict):
        raise ShapeError(path, f"expected an object, got {_kind(raw)}")
    spell = spellings.get(cls, _PLAIN)
    where = {n: key for key, names in spell.groups.items() for n in names}
    hints = _hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        holder, at = raw, path
        if f.name in where:
            group = raw.get(where[f.name], {})
            holder, at = group, (*path, where[f.name])
            if not isinstance(group, dict):
                raise ShapeError(at, f"expected an object, got {_kind(group)}")
        key = spell.key(f.name)
        if key in holder:
            values[f.name] = decode(holder[key], hints[f.name], spellings, (*at, key))
        elif _default(f) is MISSING or f.name in spell.required:
            raise ShapeError(at, f"missing required key {key!r}")
    return cls(**values)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    for kind, name in ((bool, "a boolean"), (int, "an integer"), (float, "a number"),
                       (str, "a string"), (list, "an array"), (dict, "an object")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


# -- describing ------------------------------------------------------------------------------

_SCHEMA_TYPES = {str: "string", bool: "boolean", int: "integer", float: "number"}


def schema(hint: Any, spellings: Spellings, defs: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema of what :func:`encode` writes for ``hint``; dataclasses go into
    ``defs`` (``$defs``) once and are referenced by name. Objects allow unknown keys."""
    if hint is Any:
        return {}
    inner = _optional(hint)
    if inner is not None:
        of = schema(inner, spellings, defs)
        if set(of) == {"type"} and isinstance(of["type"], str):
            return {"type": [of["type"], "null"]}
        return {"anyOf": [of, {"type": "null"}]}
    item = _items(hint)
    if item is not None:
        return {"type": "array", "items": schema(item, spellings, defs)}
    if typing.get_origin(hint) is Literal:
        return {"enum": list(typing.get_args(hint))}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return {"enum": [m.value for m in hint]}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if hint.__name__ not in defs:
            defs[hint.__name__] = {}  # a placeholder first: a recursive type refers to itself
            defs[hint.__name__] = _object_schema(hint, spellings, defs)
        return {"$ref": f"#/$defs/{hint.__name__}"}
    if hint in _SCHEMA_TYPES:
        return {"type": _SCHEMA_TYPES[hint]}
    raise TypeError(f"no JSON Schema for {hint}")


def _object_schema(cls: type, spellings: Spellings, defs: dict[str, Any]) -> dict[str, Any]:
    spell = spellings.get(cls, _PLAIN)
    hints = _hints(cls)
    every = {f.name: f for f in dataclasses.fields(cls)}
    must = {n for n, f in every.items() if _default(f) is MISSING or n in spell.required}

    def members(names: tuple[str, ...]) -> tuple[dict[str, Any], list[str]]:
        props = {spell.key(n): schema(hints[n], spellings, defs) for n in names}
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

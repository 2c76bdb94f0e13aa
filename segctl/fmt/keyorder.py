"""The stable key order of each document kind: ``kind, key, name, description``, then schema order.

The schema order is the order of ``properties`` in ``schemas/<kind>.schema.json`` (the same
files ``segctl validate`` uses), so adding a field to a schema is all it takes to place it.
Keys the schema does not know keep their relative order and go last.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

LEADING_KEYS: tuple[str, ...] = ("kind", "key", "name", "description")


def schema_dirs() -> tuple[Path, ...]:
    """Where the JSON Schemas live: inside the wheel, else the repository's ``schemas/``."""
    package = Path(__file__).resolve().parent.parent
    return (package / "_schemas", package.parent / "schemas")


def _kind_of(schema: Mapping[str, Any]) -> str | None:
    kind = schema.get("properties", {}).get("kind", {})
    if not isinstance(kind, Mapping):
        return None
    if isinstance(kind.get("const"), str):
        return str(kind["const"])
    enum = kind.get("enum")
    if isinstance(enum, list) and len(enum) == 1 and isinstance(enum[0], str):
        return enum[0]
    return None


@cache
def schema_orders() -> Mapping[str, tuple[str, ...]]:
    """kind -> property names in schema order, read once from the schema files."""
    orders: dict[str, tuple[str, ...]] = {}
    for directory in schema_dirs():
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.json")):
            try:
                schema = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if not isinstance(schema, Mapping):
                continue
            kind = _kind_of(schema)
            props = schema.get("properties")
            if kind and isinstance(props, Mapping) and kind not in orders:
                orders[kind] = tuple(props)
    return orders


def ordered_keys(kind: str | None, keys: Iterable[str]) -> list[str]:
    """``keys`` in canonical order for a document of ``kind`` (unknown keys last, stable)."""
    present = list(keys)
    schema = schema_orders().get(kind or "", ())
    rank: dict[str, int] = {}
    for name in (*LEADING_KEYS, *schema):
        rank.setdefault(name, len(rank))
    last = len(rank)
    return sorted(present, key=lambda k: (rank.get(k, last), present.index(k)))

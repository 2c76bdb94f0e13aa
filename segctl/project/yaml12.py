"""Plain scalars read per the YAML 1.2 core schema, and where YAML 1.1 would read them otherwise.

PyYAML resolves plain scalars per YAML 1.1 (``yes``/``No``/``on`` are booleans, ``0777`` is
octal 511, ``1:30`` is 90). ``segctl fmt`` and ``segctl import`` (ruamel) and the editors'
schemas use YAML 1.2, so segctl reads YAML 1.2 as well: :class:`Loader` is libyaml's C loader
with the core schema's resolvers (YAML 1.2.2 §10.3.2), and :func:`construct` builds the value
of a resolved plain scalar. :func:`yaml11_difference` says, for a plain scalar, what YAML 1.1
would have made of it when that is something else, so that such a value can be pointed out.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

try:  # libyaml is an order of magnitude faster; marks carry the same line/column
    from yaml import CSafeLoader as _Base
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Base  # type: ignore[assignment]

NULL = "tag:yaml.org,2002:null"
BOOL = "tag:yaml.org,2002:bool"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
STR = "tag:yaml.org,2002:str"

# YAML 1.2.2 §10.3.2, the core schema's tag resolution
_CORE: tuple[tuple[str, re.Pattern[str], str], ...] = (
    (NULL, re.compile(r"null|Null|NULL|~|"), "~nN"),
    (BOOL, re.compile(r"true|True|TRUE|false|False|FALSE"), "tTfF"),
    (INT, re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"), "-+0123456789"),
    (FLOAT, re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                       r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"), "-+.0123456789"),
)


#: first character of a plain scalar -> the core tags it may resolve to ("" for the empty one)
_BY_FIRST: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {}
for _tag, _pattern, _first in _CORE:
    for _char in [*_first, ""] if _tag == NULL else _first:
        _BY_FIRST[_char] = (*_BY_FIRST.get(_char, ()), (_tag, _pattern))


class Loader(_Base):
    """libyaml's loader resolving plain scalars per the YAML 1.2 core schema."""

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        # called by the C composer for every node: scalars are resolved here in one lookup
        # (the base class also consults path resolvers, which nothing here registers)
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, pattern in _BY_FIRST.get(value[:1], ()):
                    if pattern.fullmatch(value):
                        return tag
            return STR
        return str(super().resolve(kind, value, implicit))


def _int(text: str) -> int:
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)  # "0777" is 777: YAML 1.2 has no leading-zero octal


def _float(text: str) -> float:
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return -math.inf if lowered.startswith("-") else math.inf
    if lowered == ".nan":
        return math.nan
    return float(text)


def _bool(text: str) -> bool:
    return text in ("true", "True", "TRUE")


def _null(text: str) -> None:
    return None


#: resolved (or written) tag of a plain scalar -> its value per YAML 1.2
CONSTRUCTORS = {INT: _int, FLOAT: _float, BOOL: _bool, NULL: _null}


def construct(tag: str, text: str) -> Any:
    """The value of plain scalar ``text`` tagged ``tag`` (raises ValueError when it is not one:
    ``!!int 0x``, ``!!bool yes``)."""
    if resolve(text) != tag and not (tag == FLOAT and resolve(text) == INT):
        raise ValueError(f"not a YAML 1.2 {tag.rsplit(':', 1)[-1]}: {text!r}")
    return CONSTRUCTORS[tag](text)


# ---- what YAML 1.1 makes of the same text -------------------------------------------------------

_V11 = yaml.resolver.Resolver()
_V11_FIRST = frozenset(yaml.resolver.Resolver.yaml_implicit_resolvers) - {"", "!", "&", "*"}
_V11_BUILD = yaml.constructor.SafeConstructor()
_V11_CONSTRUCTORS = {INT: _V11_BUILD.construct_yaml_int, FLOAT: _V11_BUILD.construct_yaml_float,
                     BOOL: _V11_BUILD.construct_yaml_bool, NULL: _V11_BUILD.construct_yaml_null}


def _yaml11_value(text: str) -> tuple[bool, Any]:
    """(True, value) when YAML 1.1 resolves plain ``text`` to something other than a string
    (timestamps stay text: segctl keeps them as written), else (False, None)."""
    tag = _V11.resolve(yaml.ScalarNode, text, (True, False))
    build = _V11_CONSTRUCTORS.get(tag)
    if build is None:
        return False, None
    try:
        return True, build(yaml.ScalarNode(tag, text))
    except (ValueError, TypeError, OverflowError):
        return False, None


def describe(value: Any) -> str:
    """A value in words: ``the string "yes"``, ``the boolean true``, ``the integer 511``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value}"
    return f'the string "{value}"'


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def yaml11_difference(text: str, value: Any) -> str | None:
    """When plain scalar ``text`` (read as ``value`` per YAML 1.2) means something else in
    YAML 1.1, a warning saying both meanings and how to write it for both; else None."""
    if not text or text[0] not in _V11_FIRST:
        return None  # no YAML 1.1 resolver starts with this character: a string in both
    resolved, old = _yaml11_value(text)
    if not resolved and isinstance(value, str):
        return None
    if resolved and _same(old, value):
        return None
    if isinstance(value, str):
        advice = f"quote it ('{text}') for the text in both" if not resolved else \
            f"write {_canonical(old)} for {describe(old).rsplit(' ', 1)[0]}, or '{text}' " \
            "for the text"
    else:
        advice = f"write {_canonical(value)} to mean the same in both"
    return (f"{text} is {describe(value)} in YAML 1.2, which segctl reads, but "
            f"{describe(old if resolved else text)} in YAML 1.1 (PyYAML and older tools): "
            f"{advice}")


def _canonical(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
    return repr(value)


def means_else_in_yaml11(text: str) -> bool:
    """True when the string ``text``, written as a plain scalar, would be read as something
    else than that string by YAML 1.1 or YAML 1.2 (a writer then quotes it)."""
    if not text or text != text.strip():
        return True
    return resolve(text) != STR or yaml11_difference(text, text) is not None


def resolve(text: str) -> str:
    """The tag YAML 1.2's core schema gives plain scalar ``text``."""
    return next((tag for tag, pattern in _BY_FIRST.get(text[:1], ()) if pattern.fullmatch(text)),
                STR)

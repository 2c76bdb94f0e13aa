"""The JSON Schemas of the YAML kinds, and validation mapped back to file:line:col.

The schemas live in ``<repo>/schemas`` and ship in the wheel as ``segctl/_schemas``; editors use
the same files through ``# yaml-language-server: $schema=...``.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from segctl.errors import Diagnostic, SegctlError
from segctl.project.source import JsonPath, RawDocument

if TYPE_CHECKING:  # imported when a document is invalid: most runs never need it
    import jsonschema
    from jsonschema import Draft202012Validator


def schema_text(name: str) -> str:
    """The text of schema file ``name``: from the installed package first, else the checkout."""
    packaged = resources.files("segctl").joinpath("_schemas", name)
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parents[2] / "schemas" / name
    if checkout.is_file():
        return checkout.read_text(encoding="utf-8")
    raise SegctlError(f"schema file {name} is missing from this installation of segctl")


@cache
def validator(name: str) -> Draft202012Validator:
    """The schema's validator, built once: it explains what is wrong with a document."""
    from jsonschema import Draft202012Validator

    schema = json.loads(schema_text(name))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@cache
def _verdict(name: str) -> Callable[[Any], bool] | None:
    """A compiled validity test of the schema (jsonschema-rs), built once; None without it."""
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - a dependency; the explaining validator suffices
        return None
    test: Callable[[Any], bool] = jsonschema_rs.validator_for(
        json.loads(schema_text(name))).is_valid
    return test


def is_valid(data: Any, schema_name: str) -> bool | None:
    """The compiled verdict on ``data``; None when there is none (then ask :func:`validator`)."""
    test = _verdict(schema_name)
    if test is None:
        return None
    try:
        return test(data)
    except (ValueError, TypeError, OverflowError):  # a value it cannot take (huge integers)
        return None


def validate_document(doc: RawDocument, schema_name: str) -> list[Diagnostic]:
    """Every schema violation of ``doc``, located at the offending key or value.

    A valid document (nearly all of them) is recognised by the compiled validator; only an
    invalid one is walked by ``jsonschema``, whose errors locate each problem.
    """
    if is_valid(doc.data, schema_name):
        return []
    found = validator(schema_name).iter_errors(doc.data)
    errors = sorted(found, key=lambda e: (len(e.absolute_path), [str(p) for p in e.absolute_path]))
    problems: list[Diagnostic] = []
    for error in errors:
        problems.extend(_diagnose(doc, error))
    return problems


def _diagnose(doc: RawDocument, error: jsonschema.ValidationError) -> list[Diagnostic]:
    path: JsonPath = tuple(error.absolute_path)
    where = _describe(path)
    instance = error.instance
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extras = [k for k in instance if k not in allowed]
        expected = ", ".join(sorted(allowed))
        return [
            Diagnostic(f"unknown field '{k}'{where}{_did_you_mean(str(k), allowed)} "
                       f"(expected one of: {expected})", doc.key_location((*path, k)))
            for k in extras
        ]
    if error.validator == "required" and isinstance(instance, dict):
        missing = [k for k in error.validator_value if k not in instance]
        return [Diagnostic(f"missing required field '{k}'{where}", doc.value_location(path))
                for k in missing]
    if error.validator == "oneOf" and _only_required(error.validator_value):
        names = [s["required"][0] for s in error.validator_value]
        present = [n for n in names if isinstance(instance, dict) and n in instance]
        choice = " or ".join(f"'{n}'" for n in names)
        if len(present) > 1:
            second = doc.key_location((*path, present[1]))
            return [Diagnostic(f"give either {choice}, not both", second)]
        return [Diagnostic(f"one of {choice} is required{where}", doc.value_location(path))]
    if error.validator in ("oneOf", "anyOf") and error.context:
        # report the problems of the alternative meant for this kind of value (a list, ...)
        branches = error.validator_value if isinstance(error.validator_value, list) else []
        meant = {i for i, branch in enumerate(branches) if _type_fits(branch, instance)}
        inner = [e for e in error.context if e.relative_schema_path[0] in meant]
        if inner:
            return [d for e in inner for d in _diagnose(doc, e)]
        types = [str(b["type"]) for b in branches if isinstance(b, dict) and "type" in b]
        if types and not meant:
            return [Diagnostic(f"expected {' or '.join(dict.fromkeys(types))}{where}, got "
                               f"{_json_type(instance)} {_short(instance)}",
                               doc.value_location(path))]
    if error.validator == "enum":
        allowed_values = ", ".join(json.dumps(v) for v in error.validator_value)
        return [Diagnostic(f"{json.dumps(instance)} is not allowed{where}; expected one of: "
                           f"{allowed_values}", doc.value_location(path))]
    if error.validator == "type":
        expected = error.validator_value
        kinds = " or ".join(expected) if isinstance(expected, list) else expected
        got = _json_type(instance) + ("" if instance is None else f" {_short(instance)}")
        return [Diagnostic(f"expected {kinds}{where}, got {got}", doc.value_location(path))]
    if "propertyNames" in error.relative_schema_path and isinstance(instance, str):
        rule = _PATTERNS.get(str(error.validator_value), f"must match {error.validator_value}")
        return [Diagnostic(f"name {_short(instance)}{where} {rule}",
                           doc.key_location((*path, instance)))]
    if error.validator == "pattern":
        rule = _PATTERNS.get(str(error.validator_value), f"must match {error.validator_value}")
        return [Diagnostic(f"{_short(instance)}{where} {rule}", doc.value_location(path))]
    if error.validator == "uniqueItems" and isinstance(instance, list):
        index = _first_repeat(instance)
        return [Diagnostic(f"{_short(instance[index])} is listed twice{where}",
                           doc.value_location((*path, index)))]
    if error.validator in ("minLength", "minItems", "minProperties"):
        return [Diagnostic(f"expected a non-empty {_json_type(instance)}{where}",
                           doc.value_location(path))]
    if error.validator == "minimum":
        return [Diagnostic(f"{_short(instance)} is too small{where} (the minimum is "
                           f"{error.validator_value})", doc.value_location(path))]
    return [Diagnostic(f"{error.message}{where}", doc.value_location(path))]


def _did_you_mean(key: str, known: set[str]) -> str:
    """``; did you mean 'ttlInDays'?`` for the closest property the schema allows at this
    place (case differences first, then spelling), or "" when none is close."""
    by_case = [k for k in known if k.lower() == key.lower()]
    close = by_case or difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.7)
    return f"; did you mean '{close[0]}'?" if close else ""


# the schemas' patterns in words (anything else is shown as the pattern itself)
_PATTERNS = {
    "^[A-Za-z0-9][A-Za-z0-9._-]*$":
        "must start with a letter or digit and use only letters, digits, '.', '_' and '-'",
    "^[A-Za-z_][A-Za-z0-9_-]*$":
        "must start with a letter or '_' and use only letters, digits, '_' and '-'",
    "^[^@\\s]+@AdobeOrg$": "must be an IMS organisation id ending in @AdobeOrg",
    "^https?://[^\\s]+$": "must be an http:// or https:// URL",
    "^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$":
        "must be a dot path of field names (letters, digits, '_'), e.g. personalEmail.address",
    "^\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?)?(Z|[+-]\\d{2}:?\\d{2})?$":
        "must be an ISO 8601 date or date-time, for example 2024-03-15T12:00:00Z",
}


def _type_fits(schema: Any, value: Any) -> bool:
    """True when ``schema`` (one alternative of a oneOf) is for values of ``value``'s type."""
    if not isinstance(schema, dict) or "type" not in schema:
        return False
    wanted = schema["type"]
    kinds = wanted if isinstance(wanted, list) else [wanted]
    actual = _json_type(value)
    return actual in kinds or (actual == "number" and "integer" in kinds)


def _first_repeat(items: list[Any]) -> int:
    seen: list[Any] = []
    for index, item in enumerate(items):
        if item in seen:
            return index
        seen.append(item)
    return 0


def _only_required(subschemas: Any) -> bool:
    return isinstance(subschemas, list) and all(
        isinstance(s, dict) and set(s) == {"required"} and len(s["required"]) == 1
        for s in subschemas
    )


def _describe(path: JsonPath) -> str:
    if not path:
        return ""
    text = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
    return f" at {text.lstrip('.')}"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."

"""The sandbox's one meeting point with segctl.pql: reading a definition's ``expression``,
converting between pql/text and pql/json, and deriving ``evaluationInfo`` as AEP does."""

from __future__ import annotations

import json
from typing import Any

from segctl import pql
from segctl.sandbox.web import HttpFailure, bad_request

FORMATS = ("pql/text", "pql/json")


def parse_expression(expression: Any) -> Any:
    """The parsed tree of ``{"type": "PQL", "format": ..., "value": ...}``; 400 when invalid."""
    if not isinstance(expression, dict):
        raise bad_request("expression must be an object with type, format and value.")
    if str(expression.get("type", "PQL")).upper() != "PQL":
        raise bad_request("expression.type must be PQL.")
    fmt = expression.get("format", "pql/text")
    value = expression.get("value")
    if fmt not in FORMATS:
        raise bad_request(f"expression.format must be one of {', '.join(FORMATS)}.")
    if fmt == "pql/text":
        if not isinstance(value, str) or not value.strip():
            raise bad_request("expression.value must be a non-empty PQL string.")
        return _parse_text(value)
    if not isinstance(value, str | dict):
        raise bad_request("expression.value must be a pql/json document.")
    try:
        return pql.from_json(value)
    except HttpFailure:
        raise
    except Exception as err:  # the codec's own error type: a 400 for the caller
        raise invalid_pql(err) from None


def _parse_text(text: str) -> Any:
    try:
        return pql.parse(text)
    except Exception as err:
        raise invalid_pql(err) from None


def invalid_pql(err: Exception) -> HttpFailure:
    message = getattr(err, "message", None) or str(err)
    location = getattr(err, "location", None)
    line, col = getattr(location, "line", None), getattr(location, "col", None)
    if line is not None:
        message = f"Invalid PQL at line {line}, column {col}: {message}"
    else:
        message = f"Invalid PQL: {message}"
    failure = bad_request(message, code="UPAPI-113401-400")
    if line is not None:
        failure.body["errors"]["400"][0]["position"] = {"line": line, "column": col}
    return failure


def convert(expr: Any, target: str) -> dict[str, Any]:
    if target == "pql/text":
        return {"type": "PQL", "format": "pql/text", "value": pql.to_text(expr)}
    return {"type": "PQL", "format": "pql/json",
            "value": json.dumps(pql.to_json(expr), separators=(",", ":"))}


def segment_refs(expr: Any) -> frozenset[str]:
    return frozenset(pql.segment_refs(expr))


def evaluation_info(expr: Any, *, active_on_edge: bool) -> dict[str, Any]:
    """Batch unless the classifier says the PQL streams (or runs on edge); since 2025-05-20
    streaming and edge also need the org's active-on-edge merge policy (AEP-API §13.2)."""
    kinds = _eligible_kinds(pql.classify(expr))
    streaming = active_on_edge and "streaming" in kinds
    edge = active_on_edge and "edge" in kinds
    return {"batch": {"enabled": not (streaming or edge)},
            "continuous": {"enabled": streaming},
            "synchronous": {"enabled": edge}}


def _eligible_kinds(eligibility: Any) -> set[str]:
    """Read the classifier's answer: flags (``.streaming``/``.edge``) or a method name."""
    kinds: set[str] = set()
    for name in ("streaming", "edge"):
        flag = getattr(eligibility, name, None)
        if isinstance(flag, bool) and flag:
            kinds.add(name)
    method = getattr(eligibility, "method", None) or getattr(eligibility, "kind", None)
    method = getattr(method, "value", method)
    if isinstance(method, str):
        lowered = method.lower()
        if lowered == "edge":
            kinds.update(("edge", "streaming"))
        elif lowered == "streaming":
            kinds.add("streaming")
    return kinds

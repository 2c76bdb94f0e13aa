"""The sandbox's one meeting point with segctl.pql: reading a definition's ``expression``,
converting between pql/text and pql/json, and deriving ``evaluationInfo`` as AEP does."""

from __future__ import annotations

import json
from typing import Any

from segctl import pql
from segctl.sandbox.core.web import HttpFailure, bad_request

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


def parse_definition(expression: Any) -> Any:
    """:func:`parse_expression` plus what AEP checks when a definition is created or replaced:
    known functions and methods with valid arities (400 with the call's line and column)."""
    expr = parse_expression(expression)
    assert isinstance(expression, dict)  # parse_expression refused anything else
    is_text = expression.get("format", "pql/text") == "pql/text"
    try:
        pql.check(expr, expression.get("value") if is_text else None)
    except Exception as err:  # PqlEvalError: a 400 for the caller
        raise invalid_pql(err) from None
    return expr


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


def requested_evaluation(info: Any) -> str:
    """The evaluation type a client asked for in ``evaluationInfo`` (omitted → batch)."""
    if not isinstance(info, dict):
        return "batch"

    def enabled(key: str) -> bool:
        block = info.get(key)
        return isinstance(block, dict) and block.get("enabled") is True

    if enabled("synchronous"):
        return "edge"
    if enabled("continuous"):
        return "streaming"
    return "batch"


def evaluation_info(expr: Any, requested: str, *, active_on_edge: bool) -> dict[str, Any]:
    """What AEP stores: the requested streaming/edge evaluation when the classifier finds the
    PQL eligible and the merge policy is active on edge (AEP-API §13.2), batch otherwise."""
    eligibility = pql.classify(expr)
    effective = "batch"
    if active_on_edge and requested == "streaming" and eligibility.streaming:
        effective = "streaming"
    elif active_on_edge and requested == "edge" and eligibility.edge:
        effective = "edge"
    return {"batch": {"enabled": effective == "batch"},
            "continuous": {"enabled": effective == "streaming"},
            "synchronous": {"enabled": effective == "edge"}}

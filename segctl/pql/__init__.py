"""PQL (Adobe Profile Query Language): AST, parser, printer, pql/json codec (see PQL.md).

Public names are listed in CONTRIBUTING.md; everything else in this package is private.

The names below are imported on first use (PEP 562), so a command that never parses or
evaluates PQL (a warm ``plan``: its rules' canonical forms come from the load cache) does not
pay for building the syntax tree's classes.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from segctl.pql import ast
    from segctl.pql.ast import Expr
    from segctl.pql.calls import check
    from segctl.pql.eligibility import Eligibility, classify, evaluation_info
    from segctl.pql.errors import (
        PqlCallError,
        PqlError,
        PqlEvalError,
        PqlJsonError,
        PqlSyntaxError,
    )
    from segctl.pql.evaluator import Predicate, PreparedEvents, compile, prepare_events
    from segctl.pql.json import from_json, to_json
    from segctl.pql.parser import parse
    from segctl.pql.printer import to_text
    from segctl.pql.refs import rewrite_segment_refs, segment_refs, transform, walk

#: public name -> the module that defines it
_HOMES = {
    "Expr": "ast", "check": "calls", "Eligibility": "eligibility", "classify": "eligibility",
    "evaluation_info": "eligibility", "PqlCallError": "errors", "PqlError": "errors",
    "PqlEvalError": "errors", "PqlJsonError": "errors", "PqlSyntaxError": "errors",
    "Predicate": "evaluator", "PreparedEvents": "evaluator", "compile": "evaluator",
    "prepare_events": "evaluator", "from_json": "json", "to_json": "json", "parse": "parser",
    "to_text": "printer", "rewrite_segment_refs": "refs", "segment_refs": "refs",
    "transform": "refs", "walk": "refs",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'segctl.pql' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"segctl.pql.{home}"), name)
    globals()[name] = value
    return value


def canonical(text: str, *, file: str | None = None) -> str:
    """The canonical pql/text of ``text`` (raises :class:`PqlSyntaxError`)."""
    from segctl.pql.parser import parse
    from segctl.pql.printer import to_text

    return to_text(parse(text, file=file))


__all__ = [
    "Eligibility", "Expr", "PqlCallError", "PqlError", "PqlEvalError", "PqlJsonError",
    "PqlSyntaxError", "Predicate", "PreparedEvents", "ast", "canonical", "check", "classify",
    "compile", "evaluation_info", "from_json", "parse", "prepare_events", "rewrite_segment_refs",
    "segment_refs", "to_json", "to_text", "transform", "walk",
]

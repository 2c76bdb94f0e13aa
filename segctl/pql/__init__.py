"""PQL (Adobe Profile Query Language): AST, parser, printer, pql/json codec (see PQL.md).

Public names are listed in CONTRIBUTING.md; everything else in this package is private.
"""

from segctl.pql import ast
from segctl.pql.ast import Expr
from segctl.pql.calls import check
from segctl.pql.eligibility import Eligibility, classify, evaluation_info
from segctl.pql.errors import PqlCallError, PqlError, PqlEvalError, PqlJsonError, PqlSyntaxError
from segctl.pql.evaluator import Predicate, PreparedEvents, compile, prepare_events
from segctl.pql.json import from_json, to_json
from segctl.pql.parser import parse
from segctl.pql.printer import to_text
from segctl.pql.refs import rewrite_segment_refs, segment_refs, transform, walk


def canonical(text: str, *, file: str | None = None) -> str:
    """The canonical pql/text of ``text`` (raises :class:`PqlSyntaxError`)."""
    return to_text(parse(text, file=file))


__all__ = [
    "Eligibility", "Expr", "PqlCallError", "PqlError", "PqlEvalError", "PqlJsonError",
    "PqlSyntaxError", "Predicate", "PreparedEvents", "ast", "canonical", "check", "classify",
    "compile", "evaluation_info", "from_json", "parse", "prepare_events", "rewrite_segment_refs",
    "segment_refs", "to_json", "to_text", "transform", "walk",
]

"""Property: any tree either fails to compile with PqlEvalError or evaluates without raising."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings

from segctl.pql import ast
from segctl.pql.evaluator import PqlEvalError, compile, prepare_events
from tests.pql.strategies import expressions

NOW = datetime(2024, 3, 15, 12, 0, tzinfo=UTC)
PROFILE = {"a": 1, "b": "x", "c": [1, "2", {"a": None}], "d": {"a": [{"b": 2}]}, "e": None,
           "f": 2.5, "g": True, "h": "2024-03-01T00:00:00Z", "i": [], "j": {}}
EVENTS = prepare_events([
    {"timestamp": "2024-03-15T09:00:00Z", "a": 1, "b": [{"a": "x"}]},
    {"timestamp": 1_700_000_000_000, "a": "1"},
    {"timestamp": "bad", "b": None},
])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions)
def test_compiled_predicates_never_raise(expr: ast.Expr) -> None:
    try:
        predicate = compile(expr)
    except PqlEvalError:
        return
    predicate.evaluate(PROFILE, EVENTS, NOW, lambda segment: segment == "x")
    predicate.evaluate({}, [], NOW)

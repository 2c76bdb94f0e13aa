"""Property: every tree prints to text that parses back to the same tree."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from segctl.pql import ast as a
from segctl.pql import parse, to_text

from .strategies import expressions


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions)
def test_printed_tree_parses_back_equal(tree: a.Expr) -> None:
    text = to_text(tree)
    assert parse(text) == tree, text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions)
def test_printing_is_idempotent(tree: a.Expr) -> None:
    text = to_text(tree)
    assert to_text(parse(text)) == text

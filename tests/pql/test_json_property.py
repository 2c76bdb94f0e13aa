"""Properties of the pql/json codec over random trees."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings

from segctl.pql import ast as a
from segctl.pql import from_json, parse, to_json, to_text

from .strategies import expressions


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions)
def test_json_written_for_a_tree_reads_back_to_the_same_json(tree: a.Expr) -> None:
    doc = to_json(tree)
    text = json.dumps(doc)
    back = from_json(text)
    assert to_json(back) == doc
    # and the tree read back prints to text that parses back (the codec invents no syntax)
    assert parse(to_text(back)) == back


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions)
def test_json_reader_accepts_double_encoded_documents(tree: a.Expr) -> None:
    doc = to_json(tree)
    assert from_json(json.dumps(json.dumps(doc))) == from_json(doc)

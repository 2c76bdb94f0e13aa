"""Golden identity corpus: every canonical expression prints back exactly."""

from __future__ import annotations

import dataclasses

import pytest

from segctl.pql import ast as a
from segctl.pql import canonical, parse, to_text, walk

from .corpus import canonical_pairs, identity_lines

LINES = identity_lines()


@pytest.mark.parametrize("line", LINES)
def test_canonical_line_round_trips_exactly(line: str) -> None:
    tree = parse(line)
    assert to_text(tree) == line
    assert parse(to_text(tree)) == tree


@pytest.mark.parametrize(("source", "expected"), canonical_pairs())
def test_non_canonical_input_prints_canonically(source: str, expected: str) -> None:
    assert canonical(source) == expected
    assert canonical(expected) == expected
    assert parse(expected) == parse(source)


def test_corpus_is_large_and_covers_every_node_type() -> None:
    assert len(LINES) >= 120
    seen = {type(node) for line in LINES for node in walk(parse(line))}
    expr_types = {cls for cls in vars(a).values() if isinstance(cls, type)
                  and dataclasses.is_dataclass(cls) and cls.__module__ == a.__name__}
    abstract = {a.Node, a.Expr, a.TimeSpec}
    assert expr_types - abstract - seen == set()


FUNCTIONS_OF_SECTION_6 = frozenset([
    "if", "intersects", "intersection", "subsetOf", "supersetOf", "includes", "distinct",
    "groupBy", "filter", "map", "topN", "bottomN", "head", "exists", "count", "sum", "average",
    "min", "max", "get", "keys", "values", "mapEntry", "startsWith", "doesNotStartWith",
    "endsWith", "doesNotEndWith", "contains", "doesNotContain", "equals", "notEqualTo",
    "matches", "regexGroup", "isNull", "isNotNull", "currentMonth", "getMonth", "currentYear",
    "getYear", "currentDayOfMonth", "getDayOfMonth", "inSegment", "modelInstances",
])


def test_corpus_calls_every_function_of_the_reference() -> None:
    called = set()
    for line in LINES:
        for node in walk(parse(line)):
            if isinstance(node, a.Call | a.MethodCall):
                called.add(node.name)
    assert FUNCTIONS_OF_SECTION_6 - called == set()


def test_corpus_uses_every_operator_unit_direction_and_anchor() -> None:
    ops: set[str] = set()
    units: set[str] = set()
    directions: set[str] = set()
    anchors: set[str] = set()
    quantifiers: set[str] = set()
    aggregates: set[str] = set()
    for line in LINES:
        for node in walk(parse(line)):
            if isinstance(node, a.BinaryOp):
                ops.add(node.op)
            if isinstance(node, a.OffsetSpec):
                units.add(node.unit)
            if isinstance(node, a.OffsetSpec | a.DirectionSpec):
                directions.add(node.direction)
            if isinstance(node, a.RelativePeriod):
                anchors.add(node.anchor)
                units.add(node.unit)
            if isinstance(node, a.TimeWord):
                anchors.add(node.word)
            if isinstance(node, a.Quantified):
                quantifiers.add(node.quantifier)
            if isinstance(node, a.Aggregate):
                aggregates.add(node.function)
    assert ops == a.BINARY_OPS
    assert directions == set(a.DIRECTIONS)
    assert anchors == {*a.TIME_WORDS, *a.PERIOD_ANCHORS}
    assert quantifiers == set(a.QUANTIFIERS)
    assert aggregates == set(a.AGGREGATE_FUNCTIONS)
    assert units == set(a.TIME_UNITS)

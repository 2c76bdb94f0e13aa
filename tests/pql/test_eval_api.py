"""Predicate API: prepared events, the time context, inputs left untouched, hand-built trees."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from segctl.pql import ast
from segctl.pql.evaluator import PqlEvalError, Predicate, PreparedEvents, compile, prepare_events
from segctl.pql.parser import parse

NOW = datetime(2024, 3, 15, 12, 0, tzinfo=UTC)
EVENTS = [
    {"timestamp": "2024-03-15T09:00:00Z", "eventType": "b"},
    {"timestamp": "not a time", "eventType": "x"},
    {"timestamp": "2024-03-01T00:00:00+02:00", "eventType": "a"},
    {"eventType": "no-time"},
]


def test_prepare_events_sorts_by_time_and_puts_untimed_last() -> None:
    prepared = prepare_events(EVENTS)
    assert [e["eventType"] for e in prepared.events] == ["a", "b", "x", "no-time"]
    assert prepared.times[0] == int(datetime(2024, 2, 29, 22, tzinfo=UTC).timestamp()) * 10**6
    assert prepared.times[2:] == [None, None]
    assert prepare_events(prepared) is prepared
    assert prepare_events(None).events == []


def test_raw_and_prepared_events_agree_and_xevent_is_time_ordered() -> None:
    predicate = compile(parse("xEvent.eventType"))
    assert predicate.evaluate({}, EVENTS, NOW) == ["a", "b", "x", "no-time"]
    assert predicate.evaluate({}, prepare_events(EVENTS), NOW) == ["a", "b", "x", "no-time"]
    assert predicate.evaluate({}, None, NOW) == []


def test_predicate_is_compiled_once_and_reused() -> None:
    predicate = compile(parse('person.gender = "female"'))
    assert isinstance(predicate, Predicate)
    assert "def evaluate" in predicate.source
    assert not predicate.uses_events and not predicate.uses_time
    results = [predicate.evaluate({"person": {"gender": g}}, [], NOW) for g in ("female", "male")]
    assert results == [True, False]


def test_time_context_follows_now() -> None:
    predicate = compile(parse("xEvent.timestamp occurs today"))
    prepared = prepare_events(EVENTS)
    assert predicate.evaluate({}, prepared, NOW) is True
    assert predicate.evaluate({}, prepared, datetime(2024, 3, 16, tzinfo=UTC)) is False
    # a naive now is read as UTC
    assert predicate.evaluate({}, prepared, datetime(2024, 3, 15, 23, 59)) is True


def test_now_must_be_a_datetime() -> None:
    predicate = compile(parse("currentYear()"))
    with pytest.raises(PqlEvalError, match="now must be a datetime"):
        predicate.evaluate({}, [], "2024-03-15")  # type: ignore[arg-type]


def test_inputs_are_not_mutated() -> None:
    profile = {"person": {"orders": [{"p": 3}, {"p": 1}]}}
    events = copy.deepcopy(EVENTS)
    before = (copy.deepcopy(profile), copy.deepcopy(events))
    for text in ("person.orders.topN(p, 1)", "person.orders.distinct()",
                 "xEvent.groupBy(eventType)", "select X from xEvent where X.eventType = \"a\""):
        compile(parse(text)).evaluate(profile, events, NOW)
    assert (profile, events) == before


def test_hand_built_trees_and_json_only_quantifiers() -> None:
    orders = ast.Field(ast.Field(ast.Parameter(1), "person"), "orders")
    big = ast.BinaryOp(">", ast.Field(ast.Name("O"), "p"), ast.IntegerLiteral(2))
    profile = {"person": {"orders": [{"p": 3}, {"p": 1}]}}

    def quantified(q: str) -> object:
        node = ast.Quantified(q, (ast.VarDecl("O", orders, big),))
        return compile(node).evaluate(profile, [], NOW)

    assert quantified("some") is True
    assert quantified("all") is False
    assert quantified("none") is False
    assert quantified("one") is True


def test_chain_over_another_array_orders_by_its_field() -> None:
    profile = {"orders": [{"store": "s2", "at": 30}, {"store": "s1", "at": 10}]}
    forward = 'chain(orders, at, [A: WHAT(store = "s1"), B: WHAT(store = "s2")])'
    backward = 'chain(orders, at, [A: WHAT(store = "s2"), B: WHAT(store = "s1")])'
    assert compile(parse(forward)).evaluate(profile, [], NOW) is True
    assert compile(parse(backward)).evaluate(profile, [], NOW) is False


def test_in_segment_callback_receives_the_id() -> None:
    asked: list[str] = []

    def member(segment_id: str) -> bool:
        asked.append(segment_id)
        return segment_id == "a"

    predicate = compile(parse('inSegment("a") or inSegment("b")'))
    assert predicate.evaluate({}, [], NOW, member) is True
    assert asked == ["a"]
    assert predicate.uses_segments


def test_prepared_events_type_is_exported() -> None:
    assert isinstance(prepare_events([]), PreparedEvents)


def test_a_tree_too_deep_for_cpython_is_a_segctl_error() -> None:
    # the parser refuses such a tree (segctl.pql.limits); one built by hand still cannot crash
    deep: ast.Expr = ast.Name("a")
    for i in range(400):
        deep = ast.Field(deep, f"f{i}")
    with pytest.raises(PqlEvalError, match="too deeply nested"):
        compile(deep)

"""The one function registry's columns, and the one root of PQL errors."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from segctl import pql
from segctl.pql import ast as a
from segctl.pql.eligibility import classify
from segctl.pql.evaluator.functions import FUNCTIONS
from segctl.pql.json.codec import FREE_FUNCTIONS


def test_free_functions_are_the_registry_rows_not_written_as_methods() -> None:
    free = {n for n, spec in FUNCTIONS.items() if not spec.method}
    assert free == FREE_FUNCTIONS == {"if", "inSegment", "currentMonth", "currentYear",
                                      "currentDayOfMonth", "mapEntry", "modelInstances", "date"}
    assert {n for n, spec in FUNCTIONS.items() if spec.aggregate} == {
        "count", "sum", "average", "min", "max", "groupBy", "topN", "bottomN", "distinct", "map"}
    assert {n for n, spec in FUNCTIONS.items() if not spec.segment} == {"modelInstances"}


def test_the_aggregate_column_decides_streaming_eligibility(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert "the query aggregates events" in classify(
        pql.parse("xEvent.distinct() = 1")).streaming_reasons
    monkeypatch.setitem(FUNCTIONS, "distinct", replace(FUNCTIONS["distinct"], aggregate=False))
    assert "the query aggregates events" not in classify(
        pql.parse("xEvent.distinct() = 1")).streaming_reasons


def test_a_date_call_built_by_hand_is_the_literal_it_stands_for() -> None:
    now = datetime(2024, 6, 1, tzinfo=UTC)
    call = a.BinaryOp("<", a.Call("date", (a.IntegerLiteral(2024), a.IntegerLiteral(1),
                                           a.IntegerLiteral(2))), a.Name("birth"))
    literal = pql.parse("date(2024, 1, 2) < birth")
    profile = {"birth": "2024-03-01"}
    assert pql.compile(call).evaluate(profile, [], now) is True
    assert pql.compile(literal).evaluate(profile, [], now) is True
    with pytest.raises(pql.PqlCallError, match=r"date\(\) takes 3 argument"):
        pql.check(a.Call("date", (a.IntegerLiteral(2024),)))


@pytest.mark.parametrize(("make", "kind"), [
    (lambda: pql.parse("a ="), pql.PqlSyntaxError),
    (lambda: pql.from_json("{}"), pql.PqlJsonError),
    (lambda: pql.compile(pql.parse("frobnicate(1)")), pql.PqlEvalError),
    (lambda: pql.check(pql.parse("person.name.bogus()")), pql.PqlCallError),
    (lambda: pql.check(pql.parse('modelInstances("x")')), pql.PqlCallError),
])
def test_every_pql_error_has_one_root(make: object, kind: type[Exception]) -> None:
    with pytest.raises(pql.PqlError) as caught:
        make()  # type: ignore[operator]
    assert isinstance(caught.value, kind)

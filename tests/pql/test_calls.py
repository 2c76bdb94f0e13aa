"""pql.check: unknown functions and methods, arities, inSegment arguments, located in the text."""

from __future__ import annotations

import pytest

from segctl import pql


@pytest.mark.parametrize(("text", "message", "col"), [
    ("person.name.bogus(1) = 2", "unknown method .bogus()", 13),
    ('person.a.startswith("x")', "unknown method .startswith() (did you mean .startsWith()?)", 10),
    ("bogusFn()", "unknown function bogusFn()", 1),
    ('inSegment("a") and inSegment(42)',
     'inSegment() takes a segment id string such as inSegment("<id>"), not 42', 20),
    ('person.a.startsWith("x") or person.b.startsWith()',
     ".startsWith() takes 1 to 2 argument(s), got 0", 38),
    ('modelInstances("x")',
     "modelInstances() is decisioning-only PQL and cannot be used in a segment", 1),
])
def test_refused_calls_are_located(text: str, message: str, col: int) -> None:
    with pytest.raises(pql.PqlCallError) as caught:
        pql.check(pql.parse(text), text)
    assert caught.value.message == message
    assert caught.value.location is not None
    assert (caught.value.location.line, caught.value.location.col) == (1, col)
    assert caught.value.offset == col - 1


def test_second_line_and_tree_without_text() -> None:
    text = 'person.x = 1 and\n  person.y.nope("a", "b")'
    with pytest.raises(pql.PqlEvalError) as caught:
        pql.check(pql.parse(text), text)
    assert caught.value.location is not None
    assert (caught.value.location.line, caught.value.location.col) == (2, 12)
    with pytest.raises(pql.PqlCallError) as unlocated:
        pql.check(pql.parse(text))
    assert unlocated.value.location is None and unlocated.value.offset is None


@pytest.mark.parametrize("text", [
    'person.gender = "female"',
    'startsWith(person.a, "x") and inSegment("key:b")',
    'person.name.startsWith("A", false)',
])
def test_valid_rules_pass(text: str) -> None:
    pql.check(pql.parse(text), text)

"""The depth rule (segctl.pql.limits): the parser refuses a tree deeper than MAX_DEPTH, and
every consumer of a tree handles the deepest one it accepts, even called from deep in a stack.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from segctl import pql
from segctl.fmt.pqllayout import layout
from segctl.pql.depth import depth_path
from segctl.pql.limits import MAX_DEPTH, MAX_DIGITS

#: shapes that nest: a text of depth n for each
SHAPES: dict[str, Callable[[int], str]] = {
    "path": lambda n: "a" + ".b" * n + " = 1",
    "method chain": lambda n: "a" + ".lower()" * n + ' = "x"',
    "parentheses and not": lambda n: "not (" * n + "a" + ")" * n,
    "minus": lambda n: "-" * n + "1 < a",
    "filters": lambda n: "x[" * n + "a = 1" + "]" * n,
    "sum": lambda n: "a" + " + 1" * n + " > 0",
    "lists": lambda n: "a in " + "[" * n + "1" + "]" * n,
    "selects": lambda n: "exists X from xEvent where " * n + "a = 1",
}


def deepest(shape: Callable[[int], str]) -> str:
    """The text of the deepest tree of ``shape`` the parser accepts."""
    low, high = 1, 4 * MAX_DEPTH
    while low < high:
        mid = (low + high + 1) // 2
        try:
            pql.parse(shape(mid))
            low = mid
        except pql.PqlSyntaxError:
            high = mid - 1
    return shape(low)


def on_deep_stack(frames: int, fn: Callable[[], object]) -> object:
    """Call ``fn`` under ``frames`` more Python frames (a CLI or server is never at the top)."""
    return fn() if frames == 0 else on_deep_stack(frames - 1, fn)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_the_deepest_accepted_tree_goes_through_every_consumer(name: str) -> None:
    text = deepest(SHAPES[name])
    tree = pql.parse(text)
    assert len(depth_path(tree)) <= MAX_DEPTH
    with pytest.raises(pql.PqlSyntaxError, match=f"more than {MAX_DEPTH} levels"):
        pql.parse(SHAPES[name](MAX_DEPTH * 2))

    def consume() -> None:
        printed = pql.to_text(tree)
        assert pql.parse(printed) == tree
        assert pql.parse(layout(printed)) == tree
        pql.from_json(json.dumps(pql.to_json(tree)))
        pql.classify(tree)
        pql.segment_refs(tree)
        assert hash(tree) == hash(pql.parse(text))
        try:
            pql.check(tree, text)
            pql.compile(tree).evaluate({"a": 1}, [], datetime(2024, 1, 1, tzinfo=UTC))
        except pql.PqlEvalError as err:  # a rule AEP refuses is fine; a crash is not
            assert err.location is None or err.location.line is not None

    on_deep_stack(100, consume)


def test_a_short_text_never_builds_a_deep_tree() -> None:
    # parse() skips the depth walk for texts of at most MAX_DEPTH tokens: a tree is never
    # deeper than its text has tokens
    from segctl.pql.tokens import tokenize

    for shape in SHAPES.values():
        for n in range(1, MAX_DEPTH):
            text = shape(n)
            tokens = len(tokenize(text)) - 3
            if tokens <= MAX_DEPTH:
                assert len(depth_path(pql.parse(text))) <= tokens, text


def test_integer_literals_are_bounded_and_located() -> None:
    assert pql.parse("a = " + "9" * MAX_DIGITS) is not None
    with pytest.raises(pql.PqlSyntaxError, match="too long") as info:
        pql.parse("a = " + "9" * (MAX_DIGITS + 1))
    assert (info.value.line, info.value.col) == (1, 5)
    with pytest.raises(pql.PqlSyntaxError, match="out of range") as info:
        pql.parse("$" + "9" * 20 + " = 1")
    assert (info.value.line, info.value.col) == (1, 1)


def test_pql_json_is_held_to_the_same_depth() -> None:
    tree = pql.ast.Name("a")
    for _ in range(MAX_DEPTH + 1):
        tree = pql.ast.Field(tree, "b")
    with pytest.raises(pql.PqlJsonError, match="nested more than") as info:
        pql.from_json(json.dumps(pql.to_json(tree)))
    assert info.value.line is not None and info.value.col is not None
    with pytest.raises(pql.PqlJsonError, match="JSON nested more than") as info:
        pql.from_json("[" * 100_000)
    assert info.value.location is not None and info.value.col is not None
